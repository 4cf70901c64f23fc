// Start-up checks and creations.
#include "stream/server_setup.h"

#include <optional>

#include "json_escape.h"
#include "log.h"
#include "pg/quote.h"
#include "schema/migrate.h"
#include "schema/sql_install.h"
#include "stream/decoding_choice.h"
#include "stream/source_identity.h"
#include "stream/failover_slot.h"

namespace pgtrail {

namespace {

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

/// Slot creation or start failed: say why in one sentence, with the fix.
[[noreturn]] void explain_plugin_error(const PgError &error) {
    if (contains(error.what(), "may not be used as an output plugin"))
        throw FatalError("the server does not allow pgtrail as an output plugin; run: ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, pgtrail; SELECT pg_reload_conf();");
    if (contains(error.what(), "could not access file") || error.sqlstate == "58P01")
        throw FatalError("the pgtrail output plugin is not installed on the source server (" + std::string(error.what()) + "); install it with: make -f Makefile.pgxs install");
    if (contains(error.what(), "wal_level"))
        throw FatalError("logical decoding needs wal_level = logical; run: ALTER SYSTEM SET wal_level = logical; then restart the server");
    if (error.sqlstate == "42501")
        throw FatalError(std::string("permission denied on the source: ") + error.what() + "; run: ALTER ROLE <user> REPLICATION;");
    throw error;
}

asio::awaitable<void> check_wal_level(PgConnection &repl) {
    PgResult result = co_await repl.query("SHOW wal_level");
    std::string level = cell(result, 0, 0);
    if (level != "logical")
        throw FatalError("wal_level is " + level + " but pgtrail needs logical decoding; run: ALTER SYSTEM SET wal_level = logical; then restart the server");
}

/// pgoutput reads only what a publication names: without --publication (which the session checks
/// before this), the one setup creates, pgtrail, which must exist.
asio::awaitable<void> require_default_publication(PgConnection &repl, const RunConfig &config) {
    if (!config.publication.empty()) co_return;
    PgResult found = co_await repl.query("SELECT count(*) FROM pg_publication WHERE pubname = " + repl.literal(config.pgoutput_publications()));
    if (cell(found, 0, 0) != "0") co_return;
    throw FatalError("decoding with pgoutput needs a publication, and pgtrail (the default without --publication) does not exist; "
                     "run: pgtrail setup (or CREATE PUBLICATION pgtrail FOR ALL TABLES WITH (publish_via_partition_root = true);, "
                     "or FOR TABLE <tables> where you may not publish all tables), or give --publication");
}

bool is_plugin_load_error(const PgError &error) {
    return contains(error.what(), "may not be used as an output plugin") || contains(error.what(), "could not access file") ||
           error.sqlstate == "58P01";
}

/// output_plugin_libraries: whether it lists pgtrail (or *); nullopt when the server has none.
asio::awaitable<std::optional<bool>> pgtrail_listed(PgConnection &repl) {
    PgResult r = co_await repl.query("SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'");
    if (!r || PQntuples(r.get()) == 0) co_return std::nullopt;
    std::string items = ",";
    for (char c : cell(r, 0, 0))
        if (c != ' ' && c != '"') items.push_back(c);
    items += ",";
    co_return contains(items, ",pgtrail,") || contains(items, ",*,");
}

/// An existing slot's plugin, after checking the slot is ours; nullopt when there is no slot.
asio::awaitable<std::optional<std::string>> existing_slot_plugin(PgConnection &repl, const RunConfig &config,
                                                                 const std::string &database) {
    PgResult found = co_await repl.query("SELECT plugin, slot_type, database FROM pg_replication_slots WHERE slot_name = " +
                                         repl.literal(config.slot));
    co_await require_failover_slots(repl, config);
    if (PQntuples(found.get()) == 0) co_return std::nullopt;
    std::string plugin = cell(found, 0, 0), type = cell(found, 0, 1), slot_db = cell(found, 0, 2);
    if (type != "logical" || (plugin != "pgtrail" && plugin != "pgoutput"))
        throw FatalError("replication slot " + config.slot + " exists but is a " + type + " slot for plugin \"" + plugin +
                         "\"; drop it (SELECT pg_drop_replication_slot('" + config.slot + "');) or choose another --slot");
    if (config.plugin != "auto" && config.plugin != plugin)
        throw FatalError("replication slot " + config.slot + " decodes with " + plugin + ", not " + config.plugin +
                         "; start with --plugin " + plugin + " (or auto), or drop the slot or choose another --slot");
    if (slot_db != database)
        throw FatalError("replication slot " + config.slot + " belongs to database " + slot_db + ", not " + database +
                         "; choose another --slot");
    if (plugin == "pgoutput") co_await require_default_publication(repl, config);
    DecodingFacts facts;
    co_await make_slot_failover(repl, config);
    facts.slot_plugin = plugin;
    DecodingChoice choice = choose_decoding("auto", facts);
    log::info("decoding with " + choice.plugin + ": " + choice.reason);
    co_return plugin;
}

/// Creates the table and indexes when missing, brings it to the current schema version;
/// fills in the schema it lives in.
asio::awaitable<void> ensure_changes_table(PgConnection &dest, TableName &table, bool partitioned) {
    int from = 0;
    std::optional<PgError> failure;
    try {
        from = co_await read_schema_version(dest, table);
        co_await migrate_changes_table(dest, table, partitioned);
    } catch (const SchemaTooNew &error) {
        throw FatalError(error.what());
    } catch (const NotPartitioned &error) {
        throw FatalError(error.what());
    } catch (const PgError &error) {
        if (error.sqlstate.empty()) throw;
        failure = error;
    }
    if (failure) {
        std::string name = qualified(table);
        if (failure->sqlstate == "42501" && from > 0)
            throw FatalError("the changes table " + name + " is at schema version " + std::to_string(from) + ", this pgtrail needs " +
                             std::to_string(kSchemaVersion) + ", and " + dest.user() + " may not migrate it (" + failure->what() +
                             "); run: pgtrail setup (as the table's owner), then start pgtrail run again");
        if (failure->sqlstate == "42501")
            throw FatalError("cannot create the changes table " + name + ": " + failure->what() + "; run: GRANT CREATE ON SCHEMA " +
                             (table.schema.empty() ? "public" : table.schema) + " TO " + dest.user() + "; or run pgtrail setup as its owner");
        if (failure->sqlstate == "3F000")
            throw FatalError("cannot create the changes table " + name + ": " + failure->what() + "; run: CREATE SCHEMA " +
                             table.schema + ";");
        throw *failure;  // e.g. a lock timeout: retried
    }
    PgResult r = co_await dest.query("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(" +
                                     quote_literal(dest.get(), quoted(table, sql_quoting(dest.get()))) + ")");
    table.schema = cell(r, 0, 0);
}

asio::awaitable<void> ensure_origin(PgConnection &dest, const std::string &origin) {
    PgResult r = co_await dest.query("SELECT pg_replication_origin_oid(" + dest.literal(origin) + ") IS NULL");
    if (cell(r, 0, 0) != "t") co_return;
    try {
        co_await dest.query("SELECT pg_replication_origin_create(" + dest.literal(origin) + ")");
    } catch (const PgError &error) {
        if (error.sqlstate == "42501")
            throw FatalError("cannot create replication origin " + origin + ": " + error.what() +
                             "; run as a superuser: GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), pg_replication_origin_session_setup(text), pg_replication_origin_xact_setup(pg_lsn, timestamptz), pg_replication_origin_progress(text, boolean) TO " +
                             dest.user() + ";");
        if (error.sqlstate != "23505") throw;  // created meanwhile
    }
    log::info("created replication origin " + origin);
}

}  // namespace

asio::awaitable<CreatedSlot> create_slot(PgConnection &repl, const RunConfig &config, const std::string &database) {
    DecodingFacts facts;
    facts.pgtrail_listed = co_await pgtrail_listed(repl);
    DecodingChoice choice = choose_decoding(config.plugin, facts);
    CreatedSlot slot;
    for (bool done = false; !done;) {
        if (choice.plugin == "pgoutput") co_await require_default_publication(repl, config);
        try {
            std::string failover = failover_slot_option(config);
            std::string create = "CREATE_REPLICATION_SLOT " + quote_identifier(repl.get(), config.slot) + " LOGICAL " + choice.plugin +
                                 (failover.empty() ? "" : " (" + failover + ")");
            PgResult created = co_await repl.query(create);
            slot.consistent_point = cell(created, 0, 1);
            log::info("created replication slot " + config.slot + " (plugin " + choice.plugin + ") in database " + database +
                      " at " + slot.consistent_point);
            if (needs_load_probe(config.plugin, facts)) {
                facts.pgtrail_loads = true;
                choice = choose_decoding(config.plugin, facts);
            }
            done = true;
        } catch (const PgError &error) {
            if (error.sqlstate == "42710") {
                done = true;  // created meanwhile by another session: use it as it is
                slot.consistent_point.clear();
            } else if (choice.plugin == "pgtrail" && needs_load_probe(config.plugin, facts) && is_plugin_load_error(error)) {
                facts.pgtrail_loads = false;
                choice = choose_decoding(config.plugin, facts);
            } else {
                explain_plugin_error(error);
            }
        }
    }
    if (slot.consistent_point.empty()) {
        std::optional<std::string> plugin = co_await existing_slot_plugin(repl, config, database);
        slot.plugin = plugin.value_or(choice.plugin);
        co_return slot;
    }
    log::info("decoding with " + choice.plugin + ": " + choice.reason);
    slot.plugin = choice.plugin;
    co_return slot;
}

void explain_connect_error(const PgError &error, const PgConnection &conn, const ConnParams &params, bool replication) {
    std::string message = error.what();
    std::string where = params.describe().empty() ? "" : " (" + params.describe() + ")";
    if (replication && contains(message, "replication role"))
        throw FatalError("the source user " + conn.user() + " may not start replication" + where + "; run: ALTER ROLE " +
                         conn.user() + " REPLICATION;");
    if (contains(message, "password authentication failed") || contains(message, "no password supplied") ||
        contains(message, "pg_hba.conf"))
        throw FatalError("cannot log in" + where + ": " + message);
    if (contains(message, "does not exist") && (contains(message, "database") || contains(message, "role")))
        throw FatalError("cannot connect" + where + ": " + message);
    throw error;
}

asio::awaitable<SourceInfo> prepare_source(PgConnection &repl, const RunConfig &config) {
    PgResult identity = co_await repl.query("IDENTIFY_SYSTEM");
    SourceInfo info;
    info.database = cell(identity, 0, 3);
    std::string xlogpos = cell(identity, 0, 2);
    parse_lsn(xlogpos.data(), xlogpos.size(), &info.wal_position);
    if (info.database.empty()) throw FatalError("the source connection is not attached to a database; give one with DB_NAME or dbname=");
    info.system_identifier = cell(identity, 0, 0);
    co_await check_wal_level(repl);
    // A missing slot is created by prepare_destination, once the destination's progress is known.
    std::optional<std::string> plugin = co_await existing_slot_plugin(repl, config, info.database);
    info.slot_exists = plugin.has_value();
    info.plugin = plugin.value_or("");
    co_return info;
}

namespace {

// The backend holding our origin, when session setup said "... is already active for PID N".
int origin_holder_pid(const PgError &error) {
    std::string message = error.what();
    auto at = message.find("for PID ");
    return at == std::string::npos ? 0 : std::atoi(message.c_str() + at + 8);
}

// A writer whose connection vanished without a FIN/RST (a black-holed network) keeps its
// backend, and with it the origin (or the progress lock), until the server's TCP keepalive gives
// up. When the slot has no walsender, no sink is running: that backend is a dead sink's writer,
// safe to end.
asio::awaitable<bool> end_stale_holder(PgConnection &repl, PgConnection &dest, const RunConfig &config, int pid,
                                       const std::string &what) {
    PgResult active = co_await repl.query("SELECT active FROM pg_replication_slots WHERE slot_name = " + repl.literal(config.slot));
    if (cell(active, 0, 0) != "f") co_return false;
    PgResult ended = co_await dest.query(
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE pid = " + std::to_string(pid) +
        " AND application_name = " + dest.literal(writer_application_name(config)));
    if (cell(ended, 0, 0) != "t") co_return false;
    log::warn("ended backend " + std::to_string(pid) + " of a previous pgtrail writer that still held " + what +
              " (its connection was lost without being closed)");
    co_return true;
}

/// The origin when the role may use it, else pgtrail.progress (schema/progress.h).
asio::awaitable<ProgressKind> choose_progress_store(PgConnection &dest, const RunConfig &config) {
    SqlQuoting quote = sql_quoting(dest.get());
    PgResult facts = co_await dest.query(progress_facts_query(config.origin_name(), quote));
    bool usable = cell(facts, 0, 0) == "t", readable = cell(facts, 0, 2) == "t";
    bool has_row = false;
    if (readable) has_row = cell(co_await dest.query(progress_row_query(config.origin_name(), quote)), 0, 0) == "t";
    ProgressKind kind = choose_progress(usable, has_row);
    if (kind == ProgressKind::origin)
        log::info("progress is kept in replication origin " + config.origin_name());
    else
        log::info("progress is kept in table pgtrail.progress (" +
                  std::string(usable ? "it holds this slot's progress already"
                                     : dest.user() + " may not use replication origins") + ")");
    co_return kind;
}

/// Sets up the origin for this session, ending a stale writer that holds it.
asio::awaitable<void> take_origin(PgConnection &repl, PgConnection &dest, const RunConfig &config) {
    std::string origin = dest.literal(config.origin_name());
    try {
        int holder = 0;  // co_await is not allowed inside a catch block: note the holder, act after it
        try {
            co_await dest.query("SELECT pg_replication_origin_session_setup(" + origin + ")");
        } catch (const PgError &busy) {
            holder = busy.sqlstate == "55006" ? origin_holder_pid(busy) : 0;  // object_in_use
            if (holder == 0) throw;
        }
        if (holder != 0) {
            if (!co_await end_stale_holder(repl, dest, config, holder, "replication origin " + config.origin_name()))
                throw PgError("replication origin " + config.origin_name() + " is in use by backend " + std::to_string(holder) +
                                  " (another pgtrail run of slot " + config.slot + "?)",
                              "55006");
            co_await dest.query("SELECT pg_replication_origin_session_setup(" + origin + ")");
        }
    } catch (const PgError &error) {
        if (error.sqlstate == "42501")
            throw FatalError(std::string("cannot use replication origin ") + config.origin_name() + ": " + error.what() +
                             "; run as a superuser: GRANT EXECUTE ON FUNCTION pg_replication_origin_session_setup(text), pg_replication_origin_xact_setup(pg_lsn, timestamptz), pg_replication_origin_progress(text, boolean) TO " +
                             dest.user() + ";");
        throw;
    }
}

/// pgtrail.progress exists and is writable; this session holds the slot's progress lock.
asio::awaitable<void> take_progress_table(PgConnection &repl, PgConnection &dest, const RunConfig &config) {
    // Created by migration 3 (ensure_changes_table ran the migrations).
    PgResult present = co_await dest.query("SELECT to_regclass('pgtrail.progress') IS NOT NULL");
    if (cell(present, 0, 0) != "t")
        throw FatalError("table pgtrail.progress does not exist, where " + dest.user() +
                         " keeps its progress since it may not use replication origins; run: pgtrail setup --destination-role " +
                         dest.user() + " (as the destination's owner)");
    PgResult rights = co_await dest.query("SELECT has_table_privilege('pgtrail.progress', 'SELECT') AND has_table_privilege('pgtrail.progress', 'INSERT') "
                                          "AND has_table_privilege('pgtrail.progress', 'UPDATE')");
    if (cell(rights, 0, 0) != "t")
        throw FatalError(dest.user() + " may not write its progress into pgtrail.progress; run: GRANT USAGE ON SCHEMA pgtrail TO " +
                         dest.user() + "; GRANT SELECT, INSERT, UPDATE ON pgtrail.progress TO " + dest.user() + ";");
    std::string what = "the progress lock of " + config.origin_name();
    SqlQuoting quote = sql_quoting(dest.get());
    if (cell(co_await dest.query(progress_lock_sql(config.origin_name(), quote)), 0, 0) == "t") co_return;
    std::string holder = cell(co_await dest.query(progress_lock_holder_sql(config.origin_name(), quote)), 0, 0);
    if (!holder.empty() && co_await end_stale_holder(repl, dest, config, std::atoi(holder.c_str()), what) &&
        cell(co_await dest.query(progress_lock_sql(config.origin_name(), quote)), 0, 0) == "t")
        co_return;
    throw PgError(what + " is held by backend " + (holder.empty() ? "?" : holder) + " (another pgtrail run of slot " +
                      config.slot + "?)",
                  "55006");
}

/// No progress row yet in pgtrail.progress: a role that wrote through the origin before (and
/// lost the right) must not write again what the changes table holds. Resume after the last
/// source commit recorded from this database, when any.
asio::awaitable<std::uint64_t> progress_from_rows(PgConnection &dest, const TableName &table, const std::string &database) {
    PgResult last = co_await dest.query("SELECT max(commit_lsn) FROM " + quoted(table, sql_quoting(dest.get())) + " WHERE database = " + dest.literal(database));
    std::string text = cell(last, 0, 0);
    if (text.empty()) co_return 0;
    std::uint64_t lsn = std::stoull(text) + 1;  // commit_lsn is the commit record's start: skip that transaction too
    char buf[24];
    log::warn("no progress recorded in pgtrail.progress for " + std::string(database) + " yet, but " + qualified(table) +
              " holds changes from it: resuming after the last one (commit at " + std::string(buf, format_lsn(lsn - 1, buf)) + ")");
    co_return lsn;
}

/// A --destination can be the source database under another user: the replication
/// connection's backend is then visible there, on this database, with the slot.
asio::awaitable<bool> destination_in_source(PgConnection &repl, PgConnection &dest, const RunConfig &config) {
    std::string pid = cell(co_await repl.query("SELECT pg_backend_pid()"), 0, 0);
    PgResult seen = co_await dest.query(
        "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = " + pid + " AND datname = current_database()) AND "
        "EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = " + dest.literal(config.slot) + " AND database = current_database())");
    bool same = cell(seen, 0, 0) == "t";
    if (same) log::info("the destination is the source database: its changes table and pgtrail's own tables are not tracked");
    co_return same;
}

/// The partitions around now exist before the writer's first COPY: created later, by the
/// partition keeper, they would wait behind that COPY and then find today's rows in the default
/// partition, where they would stay. A failure here is the keeper's to retry, never a stop.
asio::awaitable<void> create_partitions_before_streaming(PgConnection &dest, const TableName &table, const RunConfig &config) {
    if (config.partition_by.empty()) co_return;
    std::string regclass = dest.literal(quoted(table, sql_quoting(dest.get()))) + "::regclass";
    std::optional<std::string> failure;
    try {
        co_await dest.query("BEGIN");
        // A reader's lock on the table must not hold the start up for long.
        co_await dest.query("SET LOCAL lock_timeout = '10s'");
        PgResult created = co_await dest.query("SELECT * FROM pgtrail.create_partitions(" + regclass + ", " + dest.literal(config.partition_by) +
                                               ", " + std::to_string(config.partitions_ahead) + ")");
        co_await dest.query("COMMIT");
        for (int i = 0; i < PQntuples(created.get()); i++) log::info("created partition " + cell(created, i, 0) + " of " + qualified(table));
    } catch (const PgError &error) {
        if (error.sqlstate.empty()) throw;
        failure = error.what();
    }
    if (failure) co_await dest.query("ROLLBACK");
    if (failure) log::warn("partitions around now not created before streaming (" + *failure + "); the partition keeper retries");
}

}  // namespace

std::string writer_application_name(const RunConfig &config) {
    return "pgtrail writer " + config.slot;
}

asio::awaitable<DestinationProgress> prepare_destination(PgConnection &repl, PgConnection &dest, const RunConfig &config,
                                                         SourceInfo &source, TableName &table) {
    co_await ensure_changes_table(dest, table, !config.partition_by.empty());
    co_await ensure_time_travel_functions(dest);
    co_await create_partitions_before_streaming(dest, table, config);
    DestinationProgress progress;
    progress.kind = co_await choose_progress_store(dest, config);
    if (progress.kind == ProgressKind::origin) co_await ensure_origin(dest, config.origin_name());
    // Before the origin is taken: accepting a gap moves it.
    co_await verify_source(repl, dest, config, progress.kind, source);
    // Once the slot exists: destination_in_source looks for it.
    progress.in_source = config.destination_is_source || co_await destination_in_source(repl, dest, config);
    if (progress.kind == ProgressKind::origin)
        co_await take_origin(repl, dest, config);
    else
        co_await take_progress_table(repl, dest, config);
    SqlQuoting quote = sql_quoting(dest.get());
    PgResult read = co_await dest.query(progress_read_sql(progress.kind, config.origin_name(), quote));
    if (progress.kind == ProgressKind::table && PQntuples(read.get()) == 0) {
        progress.lsn = co_await progress_from_rows(dest, table, source.database);
        co_return progress;
    }
    std::string text = cell(read, 0, 0);
    if (!text.empty()) parse_lsn(text.data(), text.size(), &progress.lsn);
    co_return progress;
}

/// START_REPLICATION is where an existing slot first loads the plugin.
[[noreturn]] void explain_start_error(const PgError &error) { explain_plugin_error(error); }

asio::awaitable<void> prepare_changes_table(PgConnection &dest, TableName &table) { co_await ensure_changes_table(dest, table, false); }  // write has no --partition-by yet

}  // namespace pgtrail
