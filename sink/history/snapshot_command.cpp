// The initial snapshot: a baseline of every tracked row at the slot's consistent point.
//
// Three connections: a replication connection creates the slot with an exported snapshot and
// stays open (idle) while it is in use; a reader imports it (REPEATABLE READ) and streams each
// table with COPY TO STDOUT; the destination receives the rows with COPY FROM STDIN, all in one
// transaction that ends with pg_replication_origin_xact_setup(consistent point), so the baseline
// and the origin's progress commit together. Rows are passed through line by line: no table is
// ever held in memory.
#include "history/snapshot_command.h"

#include <climits>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <unistd.h>

#include "pg/blocking_pg.h"
#include "pg/copy_text.h"
#include "json_escape.h"
#include "log.h"
#include "pg/replication_stream.h"
#include "schema/schema.h"
#include "schema/migrate.h"
#include "stream/server_setup.h"
#include "history/snapshot_progress.h"
#include "schema/sql_install.h"
#include "ops/tracked_tables.h"

namespace pgtrail {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) {
    if (g_interrupted) std::_Exit(1);  // a second signal: leave at once
    g_interrupted = 1;
}

/// One table to read: a plain table or a leaf partition, recorded under its root's name.
struct SourceTable {
    std::string read_name;                 ///< "schema"."table" of the table read (FROM ONLY)
    std::string schema, table;             ///< as the changes table records it (the partition root)
    std::vector<std::string> key_columns;  ///< the root's key, as the plugin reports it
    std::int64_t estimate = -1;            ///< pg_class.reltuples (-1: never analyzed)
    bool partition = false;                ///< a leaf partition of schema.table
};

/// The key as the sink renders it: the single key column's text (numbers as the type prints them),
/// or the compact JSON array of the values; NULL for tables without a key.
std::string key_expression(const std::vector<std::string> &columns) {
    auto image = [](const std::string &c) { return "pgtrail_l.pgtrail_j -> " + sql_literal(c); };
    auto number = [](const std::string &c) { return "pgtrail_t." + sql_ident(c) + "::text"; };
    if (columns.empty()) return "NULL::text";
    if (columns.size() == 1)
        return "CASE jsonb_typeof(" + image(columns[0]) + ") WHEN 'number' THEN " + number(columns[0]) +
               " ELSE pgtrail_l.pgtrail_j ->> " + sql_literal(columns[0]) + " END";
    std::string out = "'[' || ";
    for (std::size_t i = 0; i < columns.size(); i++)
        out += (i ? " || ',' || " : "") + std::string("CASE jsonb_typeof(") + image(columns[i]) + ") WHEN 'number' THEN " +
               number(columns[i]) + " ELSE coalesce((" + image(columns[i]) + ")::text, 'null') END";
    return out + " || ']'";
}

/// Starts a COPY on conn and checks that the server entered the expected COPY state.
void start_copy(BlockingPg &conn, const std::string &sql, ExecStatusType expected) {
    if (!PQsendQuery(conn.get(), sql.c_str())) throw PgError(PQerrorMessage(conn.get()), "");
    PgResult result{PQgetResult(conn.get())};
    if (result && PQresultStatus(result.get()) == expected) return;
    std::string message = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn.get());
    const char *state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    while (PgResult rest{PQgetResult(conn.get())}) {}
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    throw PgError(message, state ? state : "");
}

/// After a COPY: every remaining result must be a success.
void finish_copy(BlockingPg &conn) {
    std::string error;
    while (PgResult result{PQgetResult(conn.get())}) {
        if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && error.empty()) error = PQresultErrorMessage(result.get());
    }
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    if (!error.empty()) throw PgError(error, "");
}

class Snapshot {
public:
    Snapshot(const RunConfig &config, bool for_run) : config_(config), for_run_(for_run) {}
    int run();

private:
    void prepare_destination();
    /// False when there is nothing to do (run --snapshot on a slot already tracked).
    bool prepare_source();
    void create_slot();
    void open_reader();
    std::vector<SourceTable> list_tables();
    void copy_table(const SourceTable &table, SnapshotProgress &progress);
    void commit();
    void drop_slot_after_failure();
    void check_interrupt() const {
        if (g_interrupted) throw FatalError("interrupted");
    }

    const RunConfig &config_;
    bool for_run_;
    std::unique_ptr<BlockingPg> dest_, repl_, reader_;
    TableName table_;
    std::string database_;
    std::string origin_progress_;  ///< the origin's progress before the snapshot ("" when none)
    std::string consistent_point_, snapshot_name_;
    std::uint64_t consistent_lsn_ = 0;
    std::string committed_at_, queued_at_;  ///< COPY text timestamps
    std::int64_t ordinal_ = 0;
    bool slot_created_ = false;
    bool committing_ = false;
};

void Snapshot::prepare_destination() {
    try {
        dest_ = std::make_unique<BlockingPg>(config_.destination, std::vector<std::pair<std::string, std::string>>{{"client_encoding", "UTF8"}});
    } catch (const PgError &error) {
        throw FatalError("cannot connect to the destination (" + config_.destination.describe() + "): " + error.what());
    }
    table_ = parse_table_name(config_.changes_table);
    std::string name = sql_literal(qualified(table_));
    try {
        migrate_changes_table(*dest_, table_);
    } catch (const SchemaTooNew &error) {
        throw FatalError(error.what());
    } catch (const PgError &error) {
        throw FatalError("cannot create or migrate the changes table " + qualified(table_) + ": " + error.what() +
                         (error.sqlstate == "42501" ? "; run pgtrail setup as its owner" : ""));
    }
    table_.schema = dest_->value("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(" + name + ")");
    if (dest_->value(sql_part_state_query(SqlPart::time_travel)) != "current") {
        try {
            dest_->exec("BEGIN; " + sql_part_install(SqlPart::time_travel) + "; COMMIT");
        } catch (const PgError &error) {
            dest_->exec("ROLLBACK");
            log::warn(std::string("could not install the time travel functions in schema pgtrail (") + error.what() + "); install them with pgtrail setup");
        }
    }
    std::string origin = sql_literal(config_.origin_name());
    if (dest_->value("SELECT pg_replication_origin_oid(" + origin + ") IS NULL") == "t") {
        try {
            dest_->exec("SELECT pg_replication_origin_create(" + origin + ")");
        } catch (const PgError &error) {
            throw FatalError("cannot create replication origin " + config_.origin_name() + ": " + error.what());
        }
    }
    origin_progress_ = dest_->value("SELECT pg_replication_origin_progress(" + origin + ", true)");
    dest_->exec("SELECT set_config('synchronous_commit', 'local', false) WHERE current_setting('synchronous_commit') = 'off'");
    dest_->exec("SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0");
}

bool Snapshot::prepare_source() {
    try {
        repl_ = std::make_unique<BlockingPg>(config_.source, std::vector<std::pair<std::string, std::string>>{
                                                                  {"replication", "database"}, {"client_encoding", "UTF8"}});
    } catch (const PgError &error) {
        throw FatalError("cannot open a replication connection to the source (" + config_.source.describe() + "): " + error.what());
    }
    database_ = cell(repl_->exec("IDENTIFY_SYSTEM"), 0, 3);
    if (database_.empty()) throw FatalError("the source connection is not attached to a database; give one with DB_NAME or dbname=");
    std::string level = repl_->value("SHOW wal_level");
    if (level != "logical")
        throw FatalError("wal_level is " + level + " but pgtrail needs logical decoding; run: ALTER SYSTEM SET wal_level = logical; then restart the server");
    std::string slot = sql_literal(config_.slot);
    bool slot_exists = repl_->value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = " + slot) != "0";
    if (slot_exists && !origin_progress_.empty()) {
        if (for_run_) {
            log::info("replication slot " + config_.slot + " exists and is tracked from " + origin_progress_ + ": no snapshot to take");
            return false;
        }
        throw FatalError("replication slot " + config_.slot + " already exists and is tracked from " + origin_progress_ +
                         "; the initial snapshot is taken when the slot is created: to start over, run pgtrail teardown (drops the slot and the origin), then pgtrail snapshot");
    }
    if (slot_exists)
        throw FatalError("replication slot " + config_.slot + " exists but nothing has been recorded from it yet (an interrupted pgtrail snapshot, "
                         "or a slot created by pgtrail setup or run: use pgtrail setup --no-slot before a snapshot), so a baseline can no longer be taken at its starting point; drop it with: SELECT pg_drop_replication_slot(" +
                         slot + "); then run pgtrail snapshot again (or pgtrail run without --snapshot to track without a baseline)");
    if (!origin_progress_.empty())
        throw FatalError("replication origin " + config_.origin_name() + " in the destination has progress " + origin_progress_ +
                         " from an earlier slot; drop it with: SELECT pg_replication_origin_drop(" + sql_literal(config_.origin_name()) +
                         "); (pgtrail teardown drops both) and try again");
    // Hold the origin for the whole snapshot: a pgtrail run started meanwhile waits (it retries).
    try {
        dest_->exec("SELECT pg_replication_origin_session_setup(" + sql_literal(config_.origin_name()) + ")");
    } catch (const PgError &error) {
        throw FatalError("cannot use replication origin " + config_.origin_name() + " (" + error.what() +
                         "); is a pgtrail run or snapshot using it? stop it first");
    }
    return true;
}

void Snapshot::create_slot() {
    // The baseline's committed_at: the source's clock before the slot exists, so that no streamed
    // change (all commit after the consistent point) has an earlier commit time.
    std::string micros = repl_->value("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
    committed_at_ = format_utc_timestamp(std::stoll(micros));
    queued_at_ = format_utc_timestamp(now_unix_micros());
    PgResult created;
    try {
        created = repl_->exec("CREATE_REPLICATION_SLOT " + sql_ident(config_.slot) + " LOGICAL pgtrail (SNAPSHOT 'export')");
    } catch (const PgError &error) {
        if (error.sqlstate == "42710")
            throw FatalError("replication slot " + config_.slot + " was created meanwhile by another process; stop it, drop the slot and try again");
        explain_start_error(error);
    }
    slot_created_ = true;
    consistent_point_ = cell(created, 0, 1);
    snapshot_name_ = cell(created, 0, 2);
    if (!parse_lsn(consistent_point_.data(), consistent_point_.size(), &consistent_lsn_) || snapshot_name_.empty())
        throw FatalError("unexpected answer to CREATE_REPLICATION_SLOT: consistent point '" + consistent_point_ + "', snapshot '" + snapshot_name_ + "'");
    log::info("created replication slot " + config_.slot + " (plugin pgtrail) at " + consistent_point_ + " with snapshot " + snapshot_name_);
}

void Snapshot::open_reader() {
    try {
        reader_ = std::make_unique<BlockingPg>(config_.source, std::vector<std::pair<std::string, std::string>>{{"client_encoding", "UTF8"}});
    } catch (const PgError &error) {
        throw FatalError("cannot connect to the source (" + config_.source.describe() + "): " + error.what());
    }
    reader_->exec("SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0");
    reader_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    reader_->exec("SET TRANSACTION SNAPSHOT " + sql_literal(snapshot_name_));
}

std::vector<SourceTable> Snapshot::list_tables() {
    auto publications = split_list(config_.publication);
    if (!publications.empty()) {
        std::string missing = reader_->value("SELECT string_agg(name, ', ') FROM unnest(" + sql_text_array(publications) +
                                             ") AS name WHERE NOT EXISTS (SELECT FROM pg_publication WHERE pubname = name)");
        if (!missing.empty())
            throw FatalError("publication " + missing + " does not exist in database " + database_ + "; run: CREATE PUBLICATION " + missing + " FOR ALL TABLES; (or FOR TABLE ...)");
    }
    std::string changes = config_.destination_is_source ? table_.schema + "." + table_.table : "";
    std::vector<SourceTable> out;
    for (const TrackedTable &t : tracked_tables(*reader_, publications, config_, changes)) {
        if (t.partitioned) continue;  // its leaf partitions are listed and read one by one
        std::string rel = sql_literal(t.name) + "::regclass";
        std::string root = "coalesce(pg_partition_root(" + rel + "), " + rel + ")";
        auto info = reader_->rows("SELECT rn.nspname, r.relname, greatest(c.reltuples, -1)::bigint, c.relispartition FROM pg_class c "
                                  "JOIN pg_class r ON r.oid = " + root + " JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE c.oid = " + rel);
        if (info.empty()) continue;
        SourceTable table{t.qualified, info[0][0], info[0][1], {}, std::stoll(info[0][2]), info[0][3] == "t"};
        for (const auto &row : reader_->rows(
                 "SELECT a.attname FROM (SELECT i.indkey, i.indnkeyatts FROM pg_index i WHERE i.indrelid = " + root +
                 " AND (i.indisprimary OR i.indisreplident) ORDER BY i.indisreplident DESC, i.indisprimary DESC LIMIT 1) i "
                 "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) "
                 "JOIN pg_attribute a ON a.attrelid = " + root + " AND a.attnum = k.attnum WHERE k.n <= i.indnkeyatts ORDER BY k.n"))
            table.key_columns.push_back(row[0]);
        out.push_back(std::move(table));
    }
    return out;
}

void Snapshot::copy_table(const SourceTable &table, SnapshotProgress &progress) {
    std::string suffix = "\t";
    append_copy_escaped(suffix, database_);
    suffix += '\t';
    append_copy_escaped(suffix, table.schema);
    suffix += '\t';
    append_copy_escaped(suffix, table.table);
    std::string lsn = std::to_string(consistent_lsn_);
    suffix += "\tSNAPSHOT\t" + committed_at_ + "\t" + queued_at_ + "\t0\t" + lsn + "\t" + lsn + "\t";
    start_copy(*dest_, "COPY " + qualified(table_) + " (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, "
                       "transaction_id, position, commit_lsn, ordinal) FROM STDIN", PGRES_COPY_IN);
    start_copy(*reader_, "COPY (SELECT " + key_expression(table.key_columns) + ", pgtrail_l.pgtrail_j FROM ONLY " + table.read_name +
                             " AS pgtrail_t CROSS JOIN LATERAL (SELECT to_jsonb(pgtrail_t.*) AS pgtrail_j) AS pgtrail_l) TO STDOUT",
               PGRES_COPY_OUT);
    std::string line;
    for (;;) {
        char *raw = nullptr;
        int len = PQgetCopyData(reader_->get(), &raw, 0);
        CopyBuffer buffer(raw);
        if (len == -1) break;
        if (len < 0) throw PgError(std::string("reading ") + table.read_name + ": " + PQerrorMessage(reader_->get()), "");
        if (ordinal_ > INT_MAX) throw FatalError("more than 2,147,483,648 rows: the snapshot's ordinals (integer) would overflow");
        line.assign(raw, len > 0 && raw[len - 1] == '\n' ? len - 1 : len);
        line += suffix;
        line += std::to_string(ordinal_++);
        line += '\n';
        if (PQputCopyData(dest_->get(), line.data(), static_cast<int>(line.size())) != 1)
            throw PgError(std::string("writing the baseline: ") + PQerrorMessage(dest_->get()), "");
        progress.row();
        check_interrupt();
    }
    try {
        finish_copy(*reader_);
    } catch (const PgError &error) {
        throw FatalError("cannot read " + table.read_name + ": " + error.what());
    }
    if (PQputCopyEnd(dest_->get(), nullptr) != 1) throw PgError(std::string("writing the baseline: ") + PQerrorMessage(dest_->get()), "");
    finish_copy(*dest_);
}

void Snapshot::commit() {
    dest_->exec("SELECT pg_replication_origin_xact_setup(" + sql_literal(consistent_point_) + ", " + sql_literal(committed_at_) + ")");
    committing_ = true;
    dest_->exec("COMMIT");
    committing_ = false;
    reader_->exec("COMMIT");
}

void Snapshot::drop_slot_after_failure() {
    reader_.reset();
    repl_.reset();  // ends the snapshot's export
    if (committing_) {
        log::error("the destination failed while committing the baseline: it may or may not be recorded; check pg_replication_origin_progress(" +
                   sql_literal(config_.origin_name()) + ", true) before dropping replication slot " + config_.slot);
        return;
    }
    try {
        BlockingPg source(config_.source);
        source.exec("SELECT pg_drop_replication_slot(" + sql_literal(config_.slot) + ")");
        log::info("dropped replication slot " + config_.slot + ": nothing was recorded; run the snapshot again");
    } catch (const std::exception &error) {
        log::error("could not drop replication slot " + config_.slot + " (" + error.what() + "); drop it with: SELECT pg_drop_replication_slot(" +
                   sql_literal(config_.slot) + "); before running the snapshot again");
    }
}

int Snapshot::run() {
    try {
        prepare_destination();
        if (!prepare_source()) return 0;
        check_interrupt();
        create_slot();
        open_reader();
        std::vector<SourceTable> tables = list_tables();
        std::int64_t estimate = 0;
        for (const auto &t : tables) estimate += t.estimate > 0 ? t.estimate : 0;
        log::info("snapshot of " + std::to_string(tables.size()) + " tables (about " + format_count(estimate) + " rows) into " + qualified(table_) +
                  (config_.destination_is_source ? "" : " (" + config_.destination.describe() + ")"));
        SnapshotProgress progress(estimate, tables.size(), isatty(STDERR_FILENO));
        dest_->exec("BEGIN");
        for (const auto &t : tables) {
            check_interrupt();
            std::string name = t.schema + "." + t.table;
            if (t.partition) name += " (partition " + t.read_name + ")";
            progress.start_table(name, t.estimate);
            copy_table(t, progress);
            progress.finish_table();
        }
        check_interrupt();
        commit();
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", progress.seconds());
        log::info("snapshot recorded: " + format_count(progress.rows()) + " rows of " + std::to_string(tables.size()) + " tables at " +
                  consistent_point_ + " in " + seconds + " s; pgtrail run streams from there");
        return 0;
    } catch (const std::exception &error) {
        log::error(std::string(for_run_ ? "snapshot: " : "") + error.what());
        if (slot_created_) drop_slot_after_failure();
        return 1;
    }
}

int take_snapshot(const RunConfig &config, bool for_run) {
    g_interrupted = 0;
    auto old_int = std::signal(SIGINT, on_signal);
    auto old_term = std::signal(SIGTERM, on_signal);
    int status = Snapshot(config, for_run).run();
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    if (for_run && g_interrupted) return 1;
    return status;
}

}  // namespace

int snapshot_command(const RunConfig &config) { return take_snapshot(config, false); }

int snapshot_before_run(const RunConfig &config) { return take_snapshot(config, true); }

}  // namespace pgtrail
