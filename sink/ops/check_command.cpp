// The checks, in the order an operator fixes things: connection, server, rights, capacity,
// tables, slot, destination, then a temporary slot decoding for real.
#include "ops/check_command.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>

#include <CLI/CLI.hpp>

#include "pg/blocking_pg.h"
#include "pg/copy_text.h"
#include "log.h"
#include "options.h"
#include "pg/replication_stream.h"
#include "schema/schema.h"
#include "schema/sql_install.h"
#include "ops/tracked_tables.h"

namespace pgtrail {

namespace {

constexpr std::size_t kMaxTableLines = 20;  // replica identity warnings listed one by one

struct Item {
    std::string status;  ///< ok, warn, FAIL
    std::string name;
    std::string message;
    std::string fix;
};

/// Where the server runs: managed hosts configure logical decoding their own way.
enum class Host { self_managed, rds, cloud_sql, supabase };

std::string bytes_text(double bytes) {
    const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

class Checker {
public:
    Checker(const RunConfig &config, const CheckOptions &options) : config_(config), options_(options) {}

    int run();

private:
    void add(std::string status, std::string name, std::string message, std::string fix = {}) {
        items_.push_back({std::move(status), std::move(name), std::move(message), std::move(fix)});
    }
    void ok(std::string name, std::string message) { add("ok", std::move(name), std::move(message)); }
    void warn(std::string name, std::string message, std::string fix = {}) {
        add("warn", std::move(name), std::move(message), std::move(fix));
    }
    void fail(std::string name, std::string message, std::string fix = {}) {
        add("FAIL", std::move(name), std::move(message), std::move(fix));
    }
    bool failed(const std::string &name) const {
        for (const auto &item : items_)
            if (item.name == name && item.status == "FAIL") return true;
        return false;
    }

    bool connect_source();
    Host detect_host();
    void check_version();
    void check_wal_level();
    void check_plugin_allowed();
    void check_replication_right();
    void check_replication_connection();
    void check_capacity();
    void check_publications();
    void check_replica_identity();
    void check_slot();
    void check_destination();
    void check_decoding();
    void print() const;

    const RunConfig &config_;
    const CheckOptions &options_;
    std::vector<Item> items_;
    std::unique_ptr<BlockingPg> source_;
    std::unique_ptr<BlockingPg> dest_;
    Host host_ = Host::self_managed;
    std::string user_;
    std::string changes_regclass_;  ///< the changes table when it is in the source database
    bool slot_exists_ = false;
    std::vector<std::string> publications_;
};

bool Checker::connect_source() {
    try {
        source_ = std::make_unique<BlockingPg>(config_.source);
    } catch (const PgError &error) {
        std::string fix;
        std::string message = error.what();
        if (message.find("pg_hba.conf") != std::string::npos)
            fix = "add a host line for this user and database to pg_hba.conf, then SELECT pg_reload_conf();";
        else if (message.find("password") != std::string::npos)
            fix = "set DB_PASSWORD (or PGPASSFILE) to the user's password";
        std::string where = config_.source.describe().empty() ? "" : " (" + config_.source.describe() + ")";
        fail("connection", "cannot connect" + where + ": " + message, fix);
        return false;
    }
    user_ = source_->user();
    ok("connection", "connected to " + source_->describe() +
                         (PQsslInUse(source_->get()) ? ", TLS " + std::string(PQsslAttribute(source_->get(), "protocol")) : ", no TLS"));
    return true;
}

Host Checker::detect_host() {
    auto rows = source_->rows(
        "SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'rds.logical_replication') OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser'), "
        "EXISTS (SELECT 1 FROM pg_settings WHERE name LIKE 'cloudsql.%') OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cloudsqlsuperuser'), "
        "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin')");
    if (rows.empty()) return Host::self_managed;
    if (rows[0][0] == "t") return Host::rds;
    if (rows[0][1] == "t") return Host::cloud_sql;
    if (rows[0][2] == "t") return Host::supabase;
    return Host::self_managed;
}

void Checker::check_version() {
    auto rows = source_->rows("SELECT current_setting('server_version_num')::int, current_setting('server_version')");
    int number = std::stoi(rows[0][0]);
    std::string text = "PostgreSQL " + rows[0][1];
    const char *where[] = {"", " on Amazon RDS/Aurora", " on Google Cloud SQL", " on Supabase"};
    text += where[static_cast<int>(host_)];
    if (number < 150000 || number >= 160000)
        warn("server version", text + ": pgtrail's plugin is built and tested for PostgreSQL 15",
             "build the plugin against this server's headers (make -f Makefile.pgxs PG_CONFIG=...)");
    else
        ok("server version", text);
}

void Checker::check_wal_level() {
    std::string level = source_->value("SHOW wal_level");
    if (level == "logical") {
        ok("wal_level", "logical");
        return;
    }
    std::string fix;
    switch (host_) {
    case Host::rds:
        fix = "set rds.logical_replication = 1 in the instance's DB parameter group (Aurora: the cluster parameter group), then reboot the instance";
        break;
    case Host::cloud_sql:
        fix = "gcloud sql instances patch <instance> --database-flags=cloudsql.logical_decoding=on (restarts the instance)";
        break;
    case Host::supabase:
        fix = "Supabase projects run with wal_level = logical; contact support if this one does not";
        break;
    default:
        fix = "ALTER SYSTEM SET wal_level = logical; then restart the server";
    }
    fail("wal_level", level + ": logical decoding needs wal_level = logical", fix);
}

void Checker::check_plugin_allowed() {
    auto rows = source_->rows("SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'");
    if (rows.empty()) {
        // The setting exists from 15.19 on; only superusers (and pg_read_all_settings) see it.
        if (std::stoi(source_->value("SHOW server_version_num")) >= 150019 && source_->value(
                "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_settings', 'member') FROM pg_roles WHERE rolname = current_user") != "t")
            ok("output plugin allowed", "output_plugin_libraries is not visible to " + user_ +
                                            "; the end-to-end decoding below proves it lists pgtrail");
        else
            ok("output plugin allowed", "this server has no output_plugin_libraries allow-list");
        return;
    }
    std::string list = rows[0][0];
    for (const auto &name : split_list(list))
        if (name == "pgtrail" || name == "*") {
            ok("output plugin allowed", "output_plugin_libraries lists pgtrail");
            return;
        }
    fail("output plugin allowed", "output_plugin_libraries (" + list + ") does not list pgtrail",
         "ALTER SYSTEM SET output_plugin_libraries = " + (list.empty() ? std::string("pgoutput") : list) +
             ", pgtrail; SELECT pg_reload_conf();");
}

void Checker::check_replication_right() {
    auto rows = source_->rows(
        "SELECT r.rolreplication, r.rolsuper, "
        "EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' AND pg_has_role(current_user, g.oid, 'member')) "
        "FROM pg_roles r WHERE r.rolname = current_user");
    if (!rows.empty() && rows[0][0] == "t") {
        ok("replication right", user_ + " has REPLICATION" + std::string(rows[0][1] == "t" ? " (superuser)" : ""));
        return;
    }
    if (!rows.empty() && rows[0][2] == "t") {
        ok("replication right", user_ + " is a member of rds_replication");
        return;
    }
    std::string fix = host_ == Host::rds ? "GRANT rds_replication TO " + sql_ident(user_) + ";"
                                         : "ALTER ROLE " + sql_ident(user_) + " REPLICATION;";
    fail("replication right", "the user " + user_ + " may not start replication", fix);
}

void Checker::check_replication_connection() {
    if (failed("replication right")) return;
    try {
        BlockingPg repl(config_.source, {{"replication", "database"}});
        auto rows = repl.rows("IDENTIFY_SYSTEM");
        ok("replication connection", "IDENTIFY_SYSTEM: system " + rows[0][0] + ", timeline " + rows[0][1] + ", WAL at " + rows[0][2]);
    } catch (const PgError &error) {
        std::string message = error.what();
        std::string fix = message.find("pg_hba.conf") != std::string::npos
                              ? "allow this user and database in pg_hba.conf (logical replication connections match the database column), then SELECT pg_reload_conf();"
                              : "";
        fail("replication connection", "cannot open a replication connection: " + message, fix);
    }
}

void Checker::check_capacity() {
    auto rows = source_->rows(
        "SELECT current_setting('max_replication_slots')::int, (SELECT count(*) FROM pg_replication_slots), "
        "current_setting('max_wal_senders')::int, (SELECT count(*) FROM pg_stat_replication), "
        "EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = " + sql_literal(config_.slot) + ")");
    int max_slots = std::stoi(rows[0][0]), used_slots = std::stoi(rows[0][1]);
    int max_senders = std::stoi(rows[0][2]), used_senders = std::stoi(rows[0][3]);
    slot_exists_ = rows[0][4] == "t";
    int free_slots = max_slots - used_slots;
    std::string text = std::to_string(free_slots) + " of " + std::to_string(max_slots) + " free";
    std::string fix = "ALTER SYSTEM SET max_replication_slots = " + std::to_string(max_slots + 2) + "; then restart the server";
    if (!slot_exists_ && free_slots < 1)
        fail("max_replication_slots", text + ": no room for the " + config_.slot + " slot", fix);
    else if (free_slots < 1)
        warn("max_replication_slots", text + ": no room for check's temporary slot", fix);
    else
        ok("max_replication_slots", text);
    int free_senders = max_senders - used_senders;
    text = std::to_string(free_senders) + " of " + std::to_string(max_senders) + " free";
    fix = "ALTER SYSTEM SET max_wal_senders = " + std::to_string(max_senders + 2) + "; then restart the server";
    if (free_senders < 1)
        fail("max_wal_senders", text + ": pgtrail run needs one", fix);
    else
        ok("max_wal_senders", text);
}

void Checker::check_publications() {
    publications_ = split_list(config_.publication);
    if (config_.destination_is_source) {
        TableName table = parse_table_name(config_.changes_table);
        changes_regclass_ = qualified(table);
    }
    if (publications_.empty()) {
        ok("publication", "none given (--publication): every table is tracked" +
                              std::string(config_.include_tables.empty() ? "" : ", filtered by --include-tables"));
        return;
    }
    for (const auto &name : publications_) {
        auto rows = source_->rows("SELECT p.puballtables, p.pubinsert AND p.pubupdate AND p.pubdelete AND p.pubtruncate, "
                                  "(SELECT count(*) FROM pg_publication_tables t WHERE t.pubname = p.pubname), "
                                  "(SELECT string_agg(format('%I.%I', t.schemaname, t.tablename), ', ' ORDER BY 1) FROM "
                                  "(SELECT * FROM pg_publication_tables t WHERE t.pubname = p.pubname LIMIT 10) t) "
                                  "FROM pg_publication p WHERE p.pubname = " + sql_literal(name));
        if (rows.empty()) {
            fail("publication", "publication " + name + " does not exist",
                 "pgtrail setup --publication " + name + " (or CREATE PUBLICATION " + sql_ident(name) + " FOR ALL TABLES;)");
            continue;
        }
        int count = std::stoi(rows[0][2]);
        std::string text = "publication " + name + ": " + (rows[0][0] == "t" ? "all tables" : std::to_string(count) + " tables") +
                           (count > 0 ? " (" + rows[0][3] + (count > 10 ? ", ..." : "") + ")" : "");
        if (count == 0)
            warn("publication", text + ": nothing to track", "ALTER PUBLICATION " + sql_ident(name) + " ADD TABLE <table>;");
        else
            ok("publication", text);
        // The plugin filters by membership only; the publication's actions do not matter to it.
        (void)rows[0][1];
    }
}

void Checker::check_replica_identity() {
    if (failed("publication")) return;
    std::vector<TrackedTable> tables = tracked_tables(*source_, publications_, config_, changes_regclass_);
    std::size_t full = 0, listed = 0, others = 0;
    for (const auto &t : tables) {
        if (t.partitioned) continue;  // rows live in the partitions: their identity counts
        if (t.replident == 'f') {
            full++;
            continue;
        }
        if (listed >= kMaxTableLines) {
            others++;
            continue;
        }
        listed++;
        std::string why;
        if (t.replident == 'n')
            why = "REPLICA IDENTITY NOTHING: no before image and no key for UPDATE and DELETE";
        else if (t.replident == 'i')
            why = "REPLICA IDENTITY USING INDEX: before holds only the key columns";
        else if (t.has_primary_key)
            why = "REPLICA IDENTITY DEFAULT: before holds only the primary key, and only when it changed";
        else
            why = "no primary key and REPLICA IDENTITY DEFAULT: UPDATE and DELETE have no before image and no key"
                  " (and fail outright while the table is in a publication)";
        warn("replica identity", t.qualified + ": " + why, "ALTER TABLE " + t.qualified + " REPLICA IDENTITY FULL;");
    }
    if (others > 0)
        warn("replica identity", std::to_string(others) + " more tables without REPLICA IDENTITY FULL",
             "pgtrail setup (sets REPLICA IDENTITY FULL on every tracked table)");
    if (tables.empty())
        warn("tracked tables", "no table is tracked yet");
    else
        ok("tracked tables", std::to_string(tables.size()) + " tables tracked, " + std::to_string(full) +
                                 " with REPLICA IDENTITY FULL (full before images)");
}

void Checker::check_slot() {
    auto keep = source_->rows("SELECT setting::bigint FROM pg_settings WHERE name = 'max_slot_wal_keep_size'");
    if (!keep.empty() && keep[0][0] == "-1")
        warn("max_slot_wal_keep_size", "-1 (unlimited): a slot nobody reads keeps WAL until the disk is full",
             "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf();  -- size it to your disk");
    else if (!keep.empty())
        ok("max_slot_wal_keep_size", bytes_text(std::stod(keep[0][0]) * 1024 * 1024) +
                                         ": a slot further behind is invalidated (wal_status lost) and needs a re-snapshot");
    if (!slot_exists_) {
        ok("slot", "slot " + config_.slot + " does not exist yet: pgtrail setup or pgtrail run creates it");
        return;
    }
    auto rows = source_->rows(
        "SELECT s.plugin, s.slot_type, s.database, s.active, s.active_pid, coalesce(s.wal_status, ''), "
        "pg_current_wal_lsn() - s.confirmed_flush_lsn, pg_current_wal_lsn() - s.restart_lsn, s.confirmed_flush_lsn, "
        "(SELECT extract(epoch FROM r.flush_lag) FROM pg_stat_replication r WHERE r.pid = s.active_pid), current_database(), "
        "s.safe_wal_size "
        "FROM pg_replication_slots s WHERE s.slot_name = " + sql_literal(config_.slot));
    if (rows.empty()) return;
    const auto &r = rows[0];
    std::string drop = "SELECT pg_drop_replication_slot(" + sql_literal(config_.slot) + ");";
    if (r[1] != "logical" || r[0] != "pgtrail") {
        fail("slot", "slot " + config_.slot + " is a " + r[1] + " slot for plugin \"" + r[0] + "\"", drop + " or choose another --slot");
        return;
    }
    if (r[2] != r[10]) {
        fail("slot", "slot " + config_.slot + " belongs to database " + r[2] + ", not " + r[10], "choose another --slot");
        return;
    }
    if (r[5] == "lost") {
        fail("slot", "slot " + config_.slot + " is lost (wal_status lost): the WAL it needed was removed, changes were missed",
             drop + " then run pgtrail again and re-snapshot the tables (docs/OPERATIONS.md, \"a lost slot\")");
        return;
    }
    double lag = r[6].empty() ? 0 : std::stod(r[6]);
    double retained = r[7].empty() ? 0 : std::stod(r[7]);
    std::string text = "slot " + config_.slot + ": " + (r[3] == "t" ? "active (pid " + r[4] + ")" : "not active") +
                       ", confirmed " + r[8] + ", lag " + bytes_text(lag) +
                       (r[9].empty() ? "" : " / " + r[9] + " s") + ", retains " + bytes_text(retained) +
                       " of WAL, wal_status " + r[5] + (r[11].empty() ? "" : ", " + bytes_text(std::stod(r[11])) + " until lost");
    if (r[5] == "unreserved")
        warn("slot", text + ": it will be lost at the next checkpoint unless the sink catches up", "start pgtrail run now");
    else if (retained > static_cast<double>(options_.retained_wal_warn))
        warn("slot", text + ": more than " + bytes_text(static_cast<double>(options_.retained_wal_warn)) + " retained",
             r[3] == "t" ? "let pgtrail run catch up (see its metrics), or raise --retained-wal-warn"
                         : "start pgtrail run, or drop the slot if pgtrail is retired: " + drop);
    else if (r[3] != "t")
        warn("slot", text + ": no sink is reading it, WAL accumulates", "start pgtrail run");
    else
        ok("slot", text);
}

void Checker::check_destination() {
    BlockingPg *dest = source_.get();
    if (!config_.destination_is_source) {
        try {
            dest_ = std::make_unique<BlockingPg>(config_.destination);
            dest = dest_.get();
            ok("destination", "connected to " + dest->describe());
        } catch (const PgError &error) {
            fail("destination", "cannot connect to the destination (" + config_.destination.describe() + "): " + error.what());
            return;
        }
    }
    TableName table = parse_table_name(config_.changes_table);
    std::string name = sql_literal(qualified(table));
    auto rows = dest->rows("SELECT to_regclass(" + name + ") IS NOT NULL, "
                           "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN has_table_privilege(to_regclass(" + name + "), 'INSERT') END, "
                           "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN has_table_privilege(to_regclass(" + name + "), 'SELECT') END, "
                           "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(" + name +
                           ") AND attname IN ('commit_lsn', 'ordinal', 'unchanged') AND NOT attisdropped) END, "
                           "has_schema_privilege(coalesce(nullif(" + sql_literal(table.schema) + ", '')::name, current_schema()), 'CREATE'), "
                           "coalesce(nullif(" + sql_literal(table.schema) + ", '')::name, current_schema()), current_user");
    const auto &r = rows[0];
    std::string who = r[6];
    if (r[0] != "t") {
        if (r[4] == "t")
            ok("changes table", qualified(table) + " does not exist yet; pgtrail setup or pgtrail run creates it");
        else
            fail("changes table", qualified(table) + " does not exist and " + who + " may not create it in schema " + r[5],
                 "pgtrail setup (as its owner), or GRANT CREATE ON SCHEMA " + sql_ident(r[5]) + " TO " + sql_ident(who) + ";");
    } else if (r[1] != "t" || r[2] != "t") {
        fail("changes table", who + " may not " + (r[1] != "t" ? "insert into" : "read") + " " + qualified(table),
             "GRANT SELECT, INSERT ON " + qualified(table) + " TO " + sql_ident(who) + ";");
    } else if (r[3] != "3") {
        fail("changes table", qualified(table) + " lacks pgtrail's columns commit_lsn, ordinal, unchanged (a Bemi table?)",
             "use another --changes-table, or add the columns from sql/changes.sql");
    } else {
        ok("changes table", qualified(table) + " exists, " + who + " may insert and read");
    }
    auto origin = dest->rows(
        "SELECT bool_and(has_function_privilege(f, 'EXECUTE')) FROM unnest(ARRAY["
        "'pg_replication_origin_oid(text)', 'pg_replication_origin_create(text)', 'pg_replication_origin_session_setup(text)', "
        "'pg_replication_origin_xact_setup(pg_lsn, timestamptz)', 'pg_replication_origin_progress(text, boolean)']) f");
    if (origin[0][0] == "t") {
        std::string progress = dest->value("SELECT pg_replication_origin_progress(" + sql_literal(config_.origin_name()) +
                                           ", false) FROM pg_replication_origin WHERE roname = " + sql_literal(config_.origin_name()));
        ok("replication origin", who + " may use replication origins; " + config_.origin_name() +
                                     (progress.empty() ? " does not exist yet" : " at " + progress));
    } else {
        fail("replication origin", who + " may not use replication origins (exactly-once progress)",
             "as a superuser: GRANT EXECUTE ON FUNCTION pg_replication_origin_oid(text), pg_replication_origin_create(text), "
             "pg_replication_origin_session_setup(text), pg_replication_origin_xact_setup(pg_lsn, timestamptz), "
             "pg_replication_origin_progress(text, boolean) TO " + sql_ident(who) + ";");
    }
    std::string state = dest->value(sql_part_state_query(SqlPart::time_travel));
    if (state == "current")
        ok("time travel functions", "installed in schema pgtrail");
    else
        warn("time travel functions", std::string(state == "missing" ? "not installed" : "outdated") + " in schema pgtrail",
             "pgtrail setup (or psql -f sql/pgtrail_base.sql -f sql/time_travel.sql -f sql/revert.sql)");
}

void Checker::check_decoding() {
    const char *name = "end-to-end decoding";
    if (failed("wal_level") || failed("replication right") || failed("output plugin allowed")) {
        fail(name, "skipped: fix the problems above first");
        return;
    }
    std::random_device random;
    std::string nonce = std::to_string(random()) + std::to_string(random());
    std::string slot = "pgtrail_check_" + std::to_string(random() % 1000000000);
    std::string timeout = std::to_string(options_.decode_timeout_s * 1000);
    auto started = std::chrono::steady_clock::now();
    try {
        source_->exec("SET statement_timeout = " + timeout);
        source_->exec("SELECT pg_create_logical_replication_slot(" + sql_literal(slot) + ", 'pgtrail', true)");
        source_->exec("SELECT pg_logical_emit_message(true, '_pgtrail_check', " + sql_literal(nonce) + ")");
        auto rows = source_->rows("SELECT data FROM pg_logical_slot_get_changes(" + sql_literal(slot) +
                                  ", NULL, NULL, 'messages', '_pgtrail_check', 'skip-empty-xacts', '1')");
        source_->exec("SELECT pg_drop_replication_slot(" + sql_literal(slot) + ")");
        source_->exec("RESET statement_timeout");
        bool seen = false;
        for (const auto &row : rows)
            if (row[0].find(nonce) != std::string::npos && row[0].find("\"op\":\"M\"") != std::string::npos) seen = true;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        if (seen)
            ok(name, "a temporary pgtrail slot decoded a test message (" + std::to_string(rows.size()) + " records, " +
                         std::to_string(ms) + " ms)");
        else
            fail(name, "a temporary pgtrail slot did not return the test message (" + std::to_string(rows.size()) + " records)");
    } catch (const PgError &error) {
        std::string message = error.what();
        try {
            source_->exec("ROLLBACK; RESET statement_timeout");
        } catch (const PgError &) {
        }
        if (message.find("may not be used as an output plugin") != std::string::npos)
            fail(name, message, "ALTER SYSTEM SET output_plugin_libraries = pgoutput, pgtrail; SELECT pg_reload_conf();");
        else if (message.find("could not access file") != std::string::npos || error.sqlstate == "58P01")
            fail(name, "the pgtrail output plugin is not installed on the server (" + message + ")",
                 "make -f Makefile.pgxs install on the database host (managed hosts cannot load it: run pgtrail against a self-managed server)");
        else if (error.sqlstate == "57014")
            fail(name, "creating a slot waited more than " + std::to_string(options_.decode_timeout_s) +
                           " s: it waits for every running transaction to end",
                 "end the long transactions (SELECT pid, xact_start, query FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY xact_start;)");
        else
            fail(name, message);
    }
}

void Checker::print() const {
    bool any_fail = false;
    for (const auto &item : items_) any_fail = any_fail || item.status == "FAIL";
    if (options_.format == "json") {
        std::string out = "{\"ok\":" + std::string(any_fail ? "false" : "true") + ",\"items\":[";
        for (std::size_t i = 0; i < items_.size(); i++) {
            const auto &item = items_[i];
            out += i ? ",{" : "{";
            out += "\"item\":";
            append_json_string(out, item.name);
            out += ",\"status\":";
            append_json_string(out, item.status == "FAIL" ? "fail" : item.status);
            out += ",\"message\":";
            append_json_string(out, item.message);
            if (!item.fix.empty()) {
                out += ",\"fix\":";
                append_json_string(out, item.fix);
            }
            out += "}";
        }
        std::cout << out << "]}\n";
        return;
    }
    for (const auto &item : items_) {
        char head[64];
        std::snprintf(head, sizeof head, "%-4s  %-24s ", item.status.c_str(), item.name.c_str());
        std::cout << head << item.message;
        if (!item.fix.empty()) std::cout << "  -- fix: " << item.fix;
        std::cout << "\n";
    }
    std::cout << (any_fail ? "pgtrail check: FAILED (fix the FAIL lines above)" : "pgtrail check: ok") << "\n";
}

int Checker::run() {
    if (connect_source()) {
        try {
            host_ = detect_host();
            check_version();
            check_wal_level();
            check_plugin_allowed();
            check_replication_right();
            check_replication_connection();
            check_capacity();
            check_publications();
            check_replica_identity();
            check_slot();
            check_destination();
            check_decoding();
        } catch (const std::exception &error) {
            fail("check", std::string("stopped: ") + error.what());
        }
    }
    print();
    for (const auto &item : items_)
        if (item.status == "FAIL") return 1;
    return 0;
}

}  // namespace

void add_check_options(CLI::App &check, CheckOptions &options) {
    check.add_option("--format", options.format, "text or json")->capture_default_str()->check(CLI::IsMember({"text", "json"}));
    check.add_option("--decode-timeout", options.decode_timeout_s, "Seconds the temporary slot may take to be created and decode")
        ->capture_default_str()->check(CLI::Range(1, 3600));
    add_retained_wal_warn_option(check, options.retained_wal_warn);
}

int check_command(const RunConfig &config, const CheckOptions &options) {
    Checker checker(config, options);
    return checker.run();
}

}  // namespace pgtrail
