// The destination: it answers, the changes table exists (or can be created) with pgtrail's columns
// and the user may write it, where progress is kept (a replication origin, else pgtrail.progress), the time
// travel functions are current.
#include "ops/check/checks.h"

#include <memory>

#include "ops/tracked_tables.h"
#include "pg/quote.h"
#include "schema/progress.h"
#include "schema/schema.h"
#include "schema/sql_install.h"
#include "stream/destination_rules.h"
#include "stream/destination_session.h"

namespace pgtrail {

namespace {

/// The destination's connection (the source's when they are the same); null after a FAIL.
BlockingPg *connect_destination(CheckContext &c, std::unique_ptr<BlockingPg> &own) {
    if (c.config.destination_is_source) return &c.source;
    try {
        own = std::make_unique<BlockingPg>(c.config.destination);
        c.report.ok("destination", "connected to " + own->describe());
        return own.get();
    } catch (const PgError &error) {
        c.report.fail("destination", "cannot connect to the destination (" + c.config.destination.describe() + "): " + error.what());
        return nullptr;
    }
}

void check_changes_table(CheckContext &c, BlockingPg &dest) {
    TableName table = parse_table_name(c.config.changes_table);
    std::string name = dest.literal(qualified(table));
    auto rows = dest.rows("SELECT to_regclass(" + name + ") IS NOT NULL, "
                          "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN has_table_privilege(to_regclass(" + name + "), 'INSERT') END, "
                          "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN has_table_privilege(to_regclass(" + name + "), 'SELECT') END, "
                          "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(" + name +
                          ") AND attname IN ('commit_lsn', 'ordinal', 'unchanged') AND NOT attisdropped) END, "
                          "has_schema_privilege(coalesce(nullif(" + dest.literal(table.schema) + ", '')::name, current_schema()), 'CREATE'), "
                          "coalesce(nullif(" + dest.literal(table.schema) + ", '')::name, current_schema()), current_user");
    const auto &r = rows[0];
    const std::string &who = r[6];
    if (r[0] != "t" && r[4] == "t")
        c.report.ok("changes table", qualified(table) + " does not exist yet; pgtrail setup or pgtrail run creates it");
    else if (r[0] != "t")
        c.report.fail("changes table", qualified(table) + " does not exist and " + who + " may not create it in schema " + r[5],
                      "pgtrail setup (as its owner), or GRANT CREATE ON SCHEMA " + dest.ident(r[5]) + " TO " + dest.ident(who) + ";");
    else if (r[1] != "t" || r[2] != "t")
        c.report.fail("changes table", who + " may not " + (r[1] != "t" ? "insert into" : "read") + " " + qualified(table),
                      "GRANT SELECT, INSERT ON " + qualified(table) + " TO " + dest.ident(who) + ";");
    else if (r[3] != "3")
        c.report.fail("changes table", qualified(table) + " lacks pgtrail's columns commit_lsn, ordinal, unchanged (a Bemi table?)",
                      "use another --changes-table, or add the columns from sql/changes.sql");
    else
        c.report.ok("changes table", qualified(table) + " exists, " + who + " may insert and read");
}

/// Where the writer keeps its progress: the origin when it may use one, else pgtrail.progress (schema/progress.h).
void check_progress(CheckContext &c, BlockingPg &dest) {
    std::string who = dest.value("SELECT current_user");
    std::string origin = c.config.origin_name();
    auto facts = dest.rows(progress_facts_query(origin, sql_quoting(dest.get())));
    bool usable = facts[0][0] == "t", exists = facts[0][1] == "t", readable = facts[0][2] == "t";
    bool has_row = readable && dest.value(progress_row_query(origin, sql_quoting(dest.get()))) == "t";
    if (choose_progress(usable, has_row) == ProgressKind::origin) {
        std::string progress = dest.value("SELECT pg_replication_origin_progress(" + dest.literal(origin) +
                                          ", false) FROM pg_replication_origin WHERE roname = " + dest.literal(origin));
        c.report.ok("progress", "kept in replication origin " + origin + " (" + who + " may use replication origins); " +
                                    (progress.empty() ? "it does not exist yet" : "at " + progress));
        return;
    }
    std::string why = usable ? "it holds this slot's progress already" : who + " may not use replication origins";
    if (!exists) {
        if (dest.value("SELECT CASE WHEN to_regnamespace('pgtrail') IS NULL THEN has_database_privilege(current_database(), 'CREATE') "
                       "ELSE has_schema_privilege('pgtrail', 'CREATE') END") == "t")
            c.report.ok("progress", "kept in table pgtrail.progress (" + why + "); it does not exist yet, pgtrail run creates it (schema migration 3)");
        else
            c.report.fail("progress", "kept in table pgtrail.progress (" + why + "), which does not exist and " + who + " may not create",
                          "pgtrail setup --destination-role " + who + " (as the destination's owner)");
        return;
    }
    if (dest.value("SELECT has_table_privilege('pgtrail.progress', 'SELECT') AND has_table_privilege('pgtrail.progress', 'INSERT') "
                   "AND has_table_privilege('pgtrail.progress', 'UPDATE')") != "t") {
        c.report.fail("progress", "kept in table pgtrail.progress (" + why + "), which " + who + " may not write",
                      "GRANT USAGE ON SCHEMA pgtrail TO " + dest.ident(who) + "; GRANT SELECT, INSERT, UPDATE ON pgtrail.progress TO " +
                          dest.ident(who) + ";");
        return;
    }
    std::string at = dest.value(progress_read_sql(ProgressKind::table, origin, sql_quoting(dest.get())));
    c.report.ok("progress", "kept in table pgtrail.progress (" + why + "), in the same transaction as the rows; " +
                                (at.empty() ? "no progress recorded yet" : "at " + at));
}

/// The destination must hold every character of the source's text (the writer sends UTF-8).
void check_encoding(CheckContext &c, BlockingPg &dest) {
    std::string source = PQparameterStatus(c.source.get(), "server_encoding");
    std::string destination = PQparameterStatus(dest.get(), "server_encoding");
    std::string refusal = encoding_refusal(source, destination);
    if (refusal.empty())
        c.report.ok("encoding", "the destination database is " + destination + ", the source " + source + "; the writer sends UTF8");
    else
        c.report.fail("encoding", refusal.substr(0, refusal.find("; ")), refusal.substr(refusal.find("; ") + 2));
}

/// In the source's cluster, a synchronous standby named like the sink's walsender would wait for the sink itself.
void check_synchronous_standby(CheckContext &c, BlockingPg &dest) {
    bool same_cluster = c.config.destination_is_source || dest.value(same_cluster_query(PQbackendPID(c.source.get()))) == "t";
    std::string names = c.source.value("SHOW synchronous_standby_names");
    std::string walsender = c.source.value("SHOW application_name");
    if (!same_cluster || !synchronous_standby_matches(names, walsender)) {
        c.report.ok("synchronous standby", names.empty() ? "synchronous_standby_names is empty"
                                                         : "synchronous_standby_names = '" + names + "' does not wait for pgtrail's own writes");
        return;
    }
    c.report.warn("synchronous standby",
                  "synchronous_standby_names = '" + names + "' names the sink's walsender (application_name " + walsender +
                      ") and the destination is in the source's cluster: a commit there waits until pgtrail confirms it, and pgtrail "
                      "confirms its own writes only after they commit; its writer therefore commits with synchronous_commit = local, "
                      "and every other commit on the source waits for pgtrail to record it (pgtrail's lag adds to commit time)",
                  "to keep source commits independent of pgtrail, give the sink's source connection another application_name "
                  "(application_name=... in --source) that synchronous_standby_names does not match, and not '*'");
}

void check_time_travel(CheckContext &c, BlockingPg &dest) {
    std::string state = dest.value(sql_part_state_query(SqlPart::time_travel, sql_quoting(dest.get())));
    if (state == "current")
        c.report.ok("time travel functions", "installed in schema pgtrail");
    else
        c.report.warn("time travel functions", std::string(state == "missing" ? "not installed" : "outdated") + " in schema pgtrail",
                      "pgtrail setup (or psql -f sql/pgtrail_base.sql -f sql/time_travel.sql -f sql/revert.sql -f sql/erasure.sql -f sql/rewind.sql)");
}

}  // namespace

void check_destination(CheckContext &c) {
    std::unique_ptr<BlockingPg> own;
    BlockingPg *dest = connect_destination(c, own);
    if (!dest) return;
    check_encoding(c, *dest);
    check_synchronous_standby(c, *dest);
    check_changes_table(c, *dest);
    check_progress(c, *dest);
    check_time_travel(c, *dest);
}

}  // namespace pgtrail
