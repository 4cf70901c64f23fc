// The destination: it answers, the changes table exists (or can be created) with pgtrail's columns
// and the user may write it, the user may use replication origins, the time travel functions are current.
#include "ops/check/checks.h"

#include <memory>

#include "ops/origin_functions.h"
#include "ops/tracked_tables.h"
#include "pg/replication_stream.h"
#include "schema/schema.h"
#include "schema/sql_install.h"

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
    std::string name = sql_literal(qualified(table));
    auto rows = dest.rows("SELECT to_regclass(" + name + ") IS NOT NULL, "
                          "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN has_table_privilege(to_regclass(" + name + "), 'INSERT') END, "
                          "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN has_table_privilege(to_regclass(" + name + "), 'SELECT') END, "
                          "CASE WHEN to_regclass(" + name + ") IS NOT NULL THEN (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(" + name +
                          ") AND attname IN ('commit_lsn', 'ordinal', 'unchanged') AND NOT attisdropped) END, "
                          "has_schema_privilege(coalesce(nullif(" + sql_literal(table.schema) + ", '')::name, current_schema()), 'CREATE'), "
                          "coalesce(nullif(" + sql_literal(table.schema) + ", '')::name, current_schema()), current_user");
    const auto &r = rows[0];
    const std::string &who = r[6];
    if (r[0] != "t" && r[4] == "t")
        c.report.ok("changes table", qualified(table) + " does not exist yet; pgtrail setup or pgtrail run creates it");
    else if (r[0] != "t")
        c.report.fail("changes table", qualified(table) + " does not exist and " + who + " may not create it in schema " + r[5],
                      "pgtrail setup (as its owner), or GRANT CREATE ON SCHEMA " + sql_ident(r[5]) + " TO " + sql_ident(who) + ";");
    else if (r[1] != "t" || r[2] != "t")
        c.report.fail("changes table", who + " may not " + (r[1] != "t" ? "insert into" : "read") + " " + qualified(table),
                      "GRANT SELECT, INSERT ON " + qualified(table) + " TO " + sql_ident(who) + ";");
    else if (r[3] != "3")
        c.report.fail("changes table", qualified(table) + " lacks pgtrail's columns commit_lsn, ordinal, unchanged (a Bemi table?)",
                      "use another --changes-table, or add the columns from sql/changes.sql");
    else
        c.report.ok("changes table", qualified(table) + " exists, " + who + " may insert and read");
}

void check_origin(CheckContext &c, BlockingPg &dest) {
    std::string who = dest.value("SELECT current_user");
    std::string origin = c.config.origin_name();
    if (dest.value("SELECT bool_and(has_function_privilege(f, 'EXECUTE')) FROM unnest(" + sql_text_array(kOriginFunctions) + ") f") != "t") {
        c.report.fail("replication origin", who + " may not use replication origins (exactly-once progress)",
                      "as a superuser: GRANT EXECUTE ON FUNCTION " + join_list(kOriginFunctions, ", ") + " TO " + sql_ident(who) + ";");
        return;
    }
    std::string progress = dest.value("SELECT pg_replication_origin_progress(" + sql_literal(origin) +
                                      ", false) FROM pg_replication_origin WHERE roname = " + sql_literal(origin));
    c.report.ok("replication origin", who + " may use replication origins; " + origin +
                                          (progress.empty() ? " does not exist yet" : " at " + progress));
}

void check_time_travel(CheckContext &c, BlockingPg &dest) {
    std::string state = dest.value(sql_part_state_query(SqlPart::time_travel));
    if (state == "current")
        c.report.ok("time travel functions", "installed in schema pgtrail");
    else
        c.report.warn("time travel functions", std::string(state == "missing" ? "not installed" : "outdated") + " in schema pgtrail",
                      "pgtrail setup (or psql -f sql/pgtrail_base.sql -f sql/time_travel.sql -f sql/revert.sql)");
}

}  // namespace

void check_destination(CheckContext &c) {
    std::unique_ptr<BlockingPg> own;
    BlockingPg *dest = connect_destination(c, own);
    if (!dest) return;
    check_changes_table(c, *dest);
    check_origin(c, *dest);
    check_time_travel(c, *dest);
}

}  // namespace pgtrail
