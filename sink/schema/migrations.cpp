// The migrations, in order. Add one at the end (never edit a landed one), raise
// kSchemaVersion, and test it from the previous version's schema with rows in it.
#include "schema/migrations.h"

namespace pgtrail {

namespace {

/// The table's catalog name ("schema"."table"), the key of pgtrail.schema_version.
std::string resolved_name(const TableName &table, const SqlQuoting &quote) {
    return "(SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.oid = to_regclass(" + quote.literal(quoted(table, quote)) + "))";
}

/// Creates schema pgtrail and the version table when missing, without needing CREATE
/// privileges when they exist; serialises concurrent migrations.
const char *kPrologue =
    "SELECT pg_advisory_xact_lock(hashtext('pgtrail.schema_version'));\n"
    "DO $pgtrail$ BEGIN\n"
    "  IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF;\n"
    "  IF to_regclass('pgtrail.schema_version') IS NULL THEN\n"
    "    CREATE TABLE pgtrail.schema_version (\n"
    "      changes_table text PRIMARY KEY,        -- the changes table, format('%I.%I', schema, name)\n"
    "      version       integer NOT NULL,         -- the last migration applied to it\n"
    "      migrated_at   timestamptz NOT NULL DEFAULT now());\n"
    "    COMMENT ON TABLE pgtrail.schema_version IS 'The schema version pgtrail brought each changes table to.';\n"
    "  END IF;\n"
    "END $pgtrail$;\n";

std::string record_version(int version, const TableName &table, const SqlQuoting &quote) {
    return "INSERT INTO pgtrail.schema_version AS v (changes_table, version) VALUES (" + resolved_name(table, quote) + ", " +
           std::to_string(version) +
           ")\n  ON CONFLICT (changes_table) DO UPDATE SET version = greatest(v.version, excluded.version), migrated_at = now()";
}

/// Version 2: a column listing the values that could not be stored as PostgreSQL renders them.
std::string lossy_column(const TableName &table, const SqlQuoting &quote) {
    return "ALTER TABLE " + quoted(table, quote) + " ADD COLUMN IF NOT EXISTS lossy text[];\n"
           "COMMENT ON COLUMN " + quoted(table, quote) + ".lossy IS " +
           quote.literal("columns whose value could not be stored as PostgreSQL renders it and is stored in a faithful "
                         "substitute form (see docs/FORMAT.md); NULL when none") + ";\n";
}

/// Version 3: where a writer that may not use replication origins keeps its progress
/// (schema/progress.h), one row per origin name, shared by every changes table.
std::string progress_table(const TableName &, const SqlQuoting &quote) {
    return "CREATE TABLE IF NOT EXISTS pgtrail.progress (\n"
           "    origin        text        PRIMARY KEY,  -- pgtrail_<slot>, as the replication origin would be named\n"
           "    lsn           pg_lsn      NOT NULL,     -- end of the last source commit written into the changes table\n"
           "    committed_at  timestamptz NOT NULL,     -- that commit's time on the source\n"
           "    updated_at    timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE pgtrail.progress IS " +
           quote.literal("pgtrail run's progress where its role may not use replication origins; updated in the same "
                         "transaction as the rows it wrote") + ";\n";
}

/// Version 4: which source the destination follows, and the gaps an operator accepted.
std::string source_identity_tables(const TableName &, const SqlQuoting &) {
    return "CREATE TABLE IF NOT EXISTS pgtrail.sources (\n"
           "    origin            text PRIMARY KEY,      -- the replication origin, pgtrail_<slot>\n"
           "    system_identifier text NOT NULL,         -- the source cluster (IDENTIFY_SYSTEM)\n"
           "    database          text NOT NULL,\n"
           "    slot              text NOT NULL,\n"
           "    slot_created_lsn  pg_lsn,                -- where the sink created the slot (NULL: created by someone else)\n"
           "    recorded_at       timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE pgtrail.sources IS 'The source each pgtrail origin follows; pgtrail run refuses another one.';\n"
           "CREATE TABLE IF NOT EXISTS pgtrail.gaps (\n"
           "    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
           "    origin            text NOT NULL,\n"
           "    slot              text NOT NULL,\n"
           "    system_identifier text NOT NULL,         -- the source streamed after the gap\n"
           "    database          text NOT NULL,\n"
           "    from_lsn          pg_lsn,                -- the last position recorded before the gap (of the old source when it changed)\n"
           "    to_lsn            pg_lsn,                -- where recording resumed\n"
           "    reason            text NOT NULL,\n"
           "    accepted_at       timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE pgtrail.gaps IS 'Changes pgtrail did not see, accepted with pgtrail run --accept-gap.';\n";
}

/// Version 5: the erasure log of pgtrail.forget (sql/erasure.sql), and which changes each erasure emptied.
std::string erasure_tables(const TableName &, const SqlQuoting &) {
    return "CREATE TABLE IF NOT EXISTS pgtrail.erasures (\n"
           "    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
           "    changes_table text        NOT NULL,                      -- the changes table erased in\n"
           "    schema        text        NOT NULL,\n"
           "    \"table\"       text        NOT NULL,\n"
           "    key           text,                                      -- the row's key; NULL when erased with the key\n"
           "    with_key      boolean     NOT NULL,\n"
           "    reason        text,\n"
           "    rows          bigint      NOT NULL,                      -- changes whose images were erased\n"
           "    erased_by     text        NOT NULL DEFAULT current_user,\n"
           "    erased_at     timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE pgtrail.erasures IS 'Rows erased from history with pgtrail forget / pgtrail.forget(): who, when, what, how many changes.';\n"
           "CREATE TABLE IF NOT EXISTS pgtrail.erased_changes (\n"
           "    change_id     uuid   PRIMARY KEY,                        -- changes.id\n"
           "    erasure_id    bigint NOT NULL REFERENCES pgtrail.erasures (id));\n"
           "COMMENT ON TABLE pgtrail.erased_changes IS 'The changes whose row images pgtrail.forget erased (revert and rewind refuse them).';\n";
}

/// Version 6: the data policies of each changes table (docs/POLICIES.md), where the time travel
/// functions read how far back history goes.
std::string policies_table(const TableName &, const SqlQuoting &quote) {
    return "CREATE TABLE IF NOT EXISTS pgtrail.policies (\n"
           "    changes_table  text PRIMARY KEY,          -- format('%I.%I', schema, name)\n"
           "    partition_by   text,                      -- day, month, or NULL (not partitioned by pgtrail run)\n"
           "    retention      interval,                  -- --retention, NULL: keep everything\n"
           "    dropped_before timestamptz,               -- retention dropped every change committed before this\n"
           "    updated_at     timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE pgtrail.policies IS " +
           quote.literal("pgtrail's data policies per changes table: partitioning, retention, and how far back history still goes") + ";\n";
}

/// Version 8: the indexes that bound a row's history (pgtrail.history, row_as_of) to its own
/// changes: the TRUNCATEs of a table, and the UPDATEs by their old image, where an UPDATE that
/// changed the key is found (before @> the row's key). Only UPDATEs with an old image are indexed:
/// REPLICA IDENTITY DEFAULT sends one only when the key changed; FULL sends one for every UPDATE
/// (bench/README.md has the ingest cost).
std::string history_indexes(const TableName &table, const SqlQuoting &quote) {
    std::string name = quoted(table, quote);
    auto ident = [&](const char *suffix) { return quote.identifier(table.table + suffix); };
    return "CREATE INDEX IF NOT EXISTS " + ident("_truncate_idx") + " ON " + name +
           " (schema, \"table\", commit_lsn, ordinal) WHERE operation = 'TRUNCATE';\n"
           "CREATE INDEX IF NOT EXISTS " + ident("_update_before_idx") + " ON " + name +
           " USING gin (before jsonb_path_ops) WHERE operation = 'UPDATE' AND before IS NOT NULL;\n";
}

/// Version 9: an UPDATE that changed a row's key names the old key in moved_from (filled by the
/// writer, indexed only where set), replacing version 8's GIN index on every UPDATE's old image,
/// whose upkeep cost ingest (bench/README.md). The rows written before have no moved_from: their
/// cut (the table's last commit_lsn, when it holds UPDATEs with an old image) goes to
/// pgtrail.key_move_cuts, and the GIN index stays for those rows only (when it existed), so the
/// time travel functions find their key changes as before. The column comes last: ALTER TABLE's
/// lock, which also blocks reads, is then held only for the empty index's scan.
std::string moved_from_column(const TableName &table, const SqlQuoting &quote) {
    std::string name = quoted(table, quote);
    auto ident = [&](const char *suffix) { return quote.identifier(table.table + suffix); };
    std::string old_index = quote.literal(quoted(TableName{table.schema, table.table + "_update_before_idx"}, quote));
    std::string changes_table = resolved_name(table, quote);
    return "CREATE TABLE IF NOT EXISTS pgtrail.key_move_cuts (\n"
           "    changes_table  text   PRIMARY KEY,      -- format('%I.%I', schema, name)\n"
           "    commit_lsn     bigint NOT NULL,         -- changes up to this commit_lsn were written without moved_from\n"
           "    recorded_at    timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE pgtrail.key_move_cuts IS " +
           quote.literal("the changes each changes table held before moved_from (schema version 9): their key changes are "
                         "found by the old image (before @> key)") + ";\n"
           "INSERT INTO pgtrail.key_move_cuts (changes_table, commit_lsn)\n"
           "  SELECT " + changes_table + ", (SELECT max(commit_lsn) FROM " + name + ")\n"
           "  WHERE EXISTS (SELECT FROM " + name + " WHERE operation = 'UPDATE' AND before IS NOT NULL)\n"
           "  ON CONFLICT (changes_table) DO NOTHING;\n"
           "DO $pgtrail$ DECLARE cut bigint; BEGIN\n"
           "  IF to_regclass(" + old_index + ") IS NOT NULL THEN\n"
           "    SELECT commit_lsn INTO cut FROM pgtrail.key_move_cuts WHERE changes_table = " + changes_table + ";\n"
           "    IF cut IS NOT NULL THEN\n"
           "      EXECUTE format('CREATE INDEX IF NOT EXISTS %s ON %s USING gin (before jsonb_path_ops) "
           "WHERE operation = ''UPDATE'' AND before IS NOT NULL AND commit_lsn <= %s', " +
           quote.literal(ident("_legacy_update_before_idx")) + ", " + quote.literal(name) + ", cut);\n"
           "    END IF;\n"
           "    EXECUTE 'DROP INDEX ' || " + old_index + ";\n"
           "  END IF;\n"
           "END $pgtrail$;\n"
           "ALTER TABLE " + name + " ADD COLUMN IF NOT EXISTS moved_from text;\n"
           "COMMENT ON COLUMN " + name + ".moved_from IS " +
           quote.literal("for an UPDATE that changed the row's key: the old key, rendered like primary_key; else NULL "
                         "(since schema version 9, see docs/FORMAT.md)") + ";\n"
           "CREATE INDEX IF NOT EXISTS " + ident("_moved_from_idx") + " ON " + name +
           " (schema, \"table\", moved_from) WHERE moved_from IS NOT NULL;\n";
}

}  // namespace

namespace {

/// The version 1 columns; partitioned by committed_at, the primary key and the unique
/// (commit_lsn, ordinal) must include it (a commit's rows share one committed_at, so the pair
/// stays unique across the table).
std::string v1_table(const TableName &table, const SqlQuoting &quote, bool partitioned) {
    auto ident = [&](const char *suffix) { return quote.identifier(table.table + suffix); };
    return "CREATE TABLE IF NOT EXISTS " + quoted(table, quote) + " (\n" +
           (partitioned ? "    id              uuid        NOT NULL DEFAULT gen_random_uuid(),\n"
                        : "    id              uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,\n") +
           "    primary_key     text,\n"
           "    before          jsonb,\n"
           "    after           jsonb,\n"
           "    context         jsonb       NOT NULL DEFAULT '{}'::jsonb,\n"
           "    database        text        NOT NULL,\n"
           "    schema          text        NOT NULL,\n"
           "    \"table\"         text        NOT NULL,\n"
           "    operation       text        NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE', 'TRUNCATE', 'SNAPSHOT')),\n"
           "    committed_at    timestamptz NOT NULL,\n"
           "    queued_at       timestamptz NOT NULL,\n"
           "    created_at      timestamptz NOT NULL DEFAULT now(),\n"
           "    transaction_id  bigint      NOT NULL,\n"
           "    position        bigint      NOT NULL,\n"
           "    commit_lsn      bigint      NOT NULL,\n"
           "    ordinal         integer     NOT NULL,\n"
           "    unchanged       text[],\n" +
           (partitioned ? "    CONSTRAINT " + ident("_pkey") + " PRIMARY KEY (id, committed_at),\n"
                          "    CONSTRAINT " + ident("_commit_lsn_ordinal_key") + " UNIQUE (commit_lsn, ordinal, committed_at)\n"
                          ") PARTITION BY RANGE (committed_at);\n"
                        : "    CONSTRAINT " + ident("_commit_lsn_ordinal_key") + " UNIQUE (commit_lsn, ordinal)\n"
                          ");\n");
}

}  // namespace

std::string changes_table_v1_ddl(const TableName &table, const SqlQuoting &quote) {
    std::string name = quoted(table, quote);
    auto ident = [&](const char *suffix) { return quote.identifier(table.table + suffix); };
    return v1_table(table, quote, false) +
           "CREATE INDEX IF NOT EXISTS " + ident("_table_primary_key_committed_at_idx") + "\n"
           "    ON " + name + " (schema, \"table\", primary_key, committed_at);\n"
           "CREATE INDEX IF NOT EXISTS " + ident("_committed_at_idx") + " ON " + name + " (committed_at);\n"
           "CREATE INDEX IF NOT EXISTS " + ident("_context_idx") + " ON " + name + " USING gin (context jsonb_path_ops);\n"
           "CREATE INDEX IF NOT EXISTS " + ident("_transaction_id_idx") + " ON " + name + " (transaction_id);\n";
}

std::string partitioned_changes_table_ddl(const TableName &table, const SqlQuoting &quote) {
    TableName fallback{table.schema, table.table + "_default"};
    // The default partition: a row no range partition covers still has a place (never a failed batch).
    return "SELECT pg_advisory_xact_lock(hashtext('pgtrail.schema_version'));\n" + v1_table(table, quote, true) +
           "CREATE TABLE IF NOT EXISTS " + quoted(fallback, quote) + " PARTITION OF " +
           quoted(table, quote) + " DEFAULT;\n";
}

int schema_version_of(const TableName &table, bool table_exists, std::optional<int> recorded) {
    if (!table_exists) return 0;
    int version = recorded.value_or(1);
    if (version > kSchemaVersion)
        throw SchemaTooNew("the changes table " + qualified(table) + " is at schema version " + std::to_string(version) +
                           ", newer than this pgtrail knows (" + std::to_string(kSchemaVersion) +
                           "); run the pgtrail that wrote it, or a later one");
    return version;
}

/// Version 7: where each `pgtrail write` keeps its place in a NATS JetStream stream
/// (nats/stream_progress.h), one row per stream and consumer, committed with its rows.
std::string stream_progress_table(const TableName &, const SqlQuoting &quote) {
    return "CREATE TABLE IF NOT EXISTS pgtrail.stream_progress (\n"
           "    stream        text        NOT NULL,     -- the JetStream stream (--nats-stream)\n"
           "    consumer      text        NOT NULL,     -- the writer's durable consumer (--consumer)\n"
           "    sequence      bigint      NOT NULL,     -- stream sequence of the last message written into the changes table\n"
           "    commit_lsn    bigint      NOT NULL,     -- that message's source commit LSN\n"
           "    updated_at    timestamptz NOT NULL DEFAULT now(),\n"
           "    PRIMARY KEY (stream, consumer));\n"
           "COMMENT ON TABLE pgtrail.stream_progress IS " +
           quote.literal("pgtrail write's place in its NATS JetStream stream; updated in the same transaction as the rows it wrote") + ";\n";
}

std::vector<Migration> migrations_after(int from, const TableName &table, const SqlQuoting &quote) {
    struct Step {
        int version;
        const char *what;
        std::string (*sql)(const TableName &, const SqlQuoting &);
    };
    static const Step kSteps[] = {
        {1, "create the changes table and its indexes", changes_table_v1_ddl},
        {2, "add column lossy (values stored in a substitute form)", lossy_column},
        {3, "create table pgtrail.progress (progress of writers that may not use replication origins)", progress_table},
        {4, "create pgtrail.sources and pgtrail.gaps (source identity, accepted gaps)", source_identity_tables},
        {5, "create pgtrail.erasures and pgtrail.erased_changes (erasure log)", erasure_tables},
        {6, "create pgtrail.policies (partitioning and retention of each changes table)", policies_table},
        {7, "create table pgtrail.stream_progress (the place of pgtrail write in a NATS stream)", stream_progress_table},
        {8, "create the indexes of row histories (TRUNCATEs; UPDATEs by their old image)", history_indexes},
        {9, "add column moved_from (the old key of an UPDATE that changed it), indexed instead of every UPDATE's old image",
         moved_from_column},
    };
    static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == kSchemaVersion, "one migration per version, in order");
    std::vector<Migration> out;
    for (const auto &step : kSteps) {
        if (step.version <= from) continue;
        out.push_back({step.version, step.what,
                       std::string(kPrologue) + step.sql(table, quote) + record_version(step.version, table, quote)});
    }
    return out;
}

std::string schema_state_query(const TableName &table, const SqlQuoting &quote) {
    return "SELECT to_regclass(" + quote.literal(quoted(table, quote)) +
           ") IS NOT NULL, to_regclass('pgtrail.schema_version') IS NOT NULL";
}

std::string relkind_query(const TableName &table, const SqlQuoting &quote) {
    return "SELECT relkind FROM pg_class WHERE oid = to_regclass(" + quote.literal(quoted(table, quote)) + ")";
}

std::string recorded_version_query(const TableName &table, const SqlQuoting &quote) {
    return "SELECT version FROM pgtrail.schema_version WHERE changes_table = " + resolved_name(table, quote);
}

}  // namespace pgtrail
