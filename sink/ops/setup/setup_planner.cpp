// What setup plans besides roles: the publication, REPLICA IDENTITY FULL, the SQL parts, the
// context triggers, the slot, the changes table, the origin and the changes_table setting.
#include "ops/setup/planner.h"

#include "ops/origin_functions.h"

#include <iostream>
#include <optional>
#include <set>

#include "ops/setup/partition_conversion.h"
#include "pg/quote.h"
#include "schema/migrate.h"
#include "schema/schema.h"
#include "schema/sql_install.h"
#include "stream/failover_slot.h"

namespace pgtrail {

namespace {

/// --tables as qualified names; throws SetupFailure for a table the source lacks.
std::vector<std::string> wanted_tables(SetupContext &c) {
    std::vector<std::string> wanted;
    for (const auto &name : split_list(c.options.tables)) {
        std::string resolved = c.db.source().value("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
                                                   "ON n.oid = c.relnamespace WHERE c.oid = to_regclass(" + c.db.source().literal(name) + ")");
        if (resolved.empty()) throw SetupFailure("table " + name + " (--tables) does not exist in the source");
        wanted.push_back(resolved);
    }
    return wanted;
}

/// The tables publication pub holds now, qualified.
std::set<std::string> published_tables(SetupContext &c, const std::string &pub) {
    auto rows = c.db.source().rows("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid "
                                   "JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE p.pubname = " + c.db.source().literal(pub) + " ORDER BY 1");
    std::set<std::string> have;
    for (const auto &row : rows) have.insert(row[0]);
    return have;
}

/// pgoutput reports a partition's rows under its root only with publish_via_partition_root (the
/// plugin ignores publication options).
std::string publication_options(const SetupContext &c) {
    return c.plugin == "pgoutput" ? " WITH (publish_via_partition_root = true)" : "";
}

/// FOR ALL TABLES needs a superuser (not on managed services); with pgoutput it would also publish
/// the changes table and pgtrail.* when they live in the source (the plugin leaves them out itself).
bool may_publish_all_tables(SetupContext &c) {
    if (c.plugin == "pgoutput" && c.config.destination_is_source) return false;
    return c.db.source().value("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "t";
}

/// The tables a publication listing them holds instead of FOR ALL TABLES: every tracked table
/// (run's filters, without the changes table and pgtrail.*), partitioned ones by their root.
std::vector<std::string> all_tables_listed(SetupContext &c) {
    std::string changes = c.config.destination_is_source ? changes_regclass(c.config) : "";
    std::vector<std::string> roots;
    for (const auto &t : tracked_tables(c.db.source(), {}, c.config, changes))
        if (!t.partition) roots.push_back(t.qualified);
    return roots;
}

void create_publication(SetupContext &c, const std::string &pub, std::vector<std::string> &wanted) {
    if (wanted.empty() && may_publish_all_tables(c)) {
        c.plan.add(true, "create publication " + pub + " for all tables",
                   "CREATE PUBLICATION " + c.db.source().ident(pub) + " FOR ALL TABLES" + publication_options(c));
        return;
    }
    if (wanted.empty()) wanted = all_tables_listed(c);
    c.publication_lists_tables = true;
    if (wanted.empty()) {
        c.plan.add(true, "create publication " + pub + " (no tables yet)", "CREATE PUBLICATION " + c.db.source().ident(pub) + publication_options(c));
        return;
    }
    c.plan.add(true, "create publication " + pub + " for " + join_list(wanted, ", "),
               "CREATE PUBLICATION " + c.db.source().ident(pub) + " FOR TABLE " + join_list(wanted, ", ") + publication_options(c));
}

void plan_publication(SetupContext &c) {
    std::string pub = publication_name(c.config);
    std::vector<std::string> wanted = wanted_tables(c);
    auto found = c.db.source().rows("SELECT puballtables FROM pg_publication WHERE pubname = " + c.db.source().literal(pub));
    std::set<std::string> have = published_tables(c, pub);
    if (found.empty()) {
        create_publication(c, pub, wanted);
    } else if (!wanted.empty()) {
        if (found[0][0] == "t")
            throw SetupFailure("publication " + pub + " is FOR ALL TABLES; drop it first (pgtrail teardown) to track only --tables");
        c.publication_lists_tables = true;
        if (have != std::set<std::string>(wanted.begin(), wanted.end()))
            c.plan.add(true, "set the tables of publication " + pub + " to " + join_list(wanted, ", "),
                       "ALTER PUBLICATION " + c.db.source().ident(pub) + " SET TABLE " + join_list(wanted, ", "));
    } else if (found[0][0] != "t") {
        c.publication_lists_tables = true;
        wanted.assign(have.begin(), have.end());  // kept as it is
    }
    c.publication_tables = wanted;
}

void plan_replica_identity(SetupContext &c) {
    for (const auto &t : planned_tables(c))
        if (t.replident != 'f')
            c.plan.add(true, "REPLICA IDENTITY FULL on " + t.qualified, "ALTER TABLE " + t.qualified + " REPLICA IDENTITY FULL");
}

void plan_sql_part(SetupContext &c, SqlPart part, bool on_source) {
    BlockingPg &conn = on_source ? c.db.source() : c.db.destination();
    std::string state = conn.value(sql_part_state_query(part, sql_quoting(conn.get())));
    if (state == "current") return;
    c.plan.add(on_source, std::string(state == "missing" ? "install the " : "update the ") + sql_part_title(part) + " (" +
                              sql_part_files(part) + ")",
               sql_part_install(part, sql_quoting(conn.get())), {}, true);
}

void plan_context_triggers(SetupContext &c) {
    const auto &steps = c.plan.steps();
    bool installing = !steps.empty() && steps.back().what.find(sql_part_title(SqlPart::context)) != std::string::npos;
    if (installing) return;  // context.sql attaches the triggers itself
    std::size_t missing = 0;
    for (const auto &t : planned_tables(c)) {
        if (!t.partitioned && c.db.source().value("SELECT count(*) FROM pg_trigger WHERE tgname = 'pgtrail_context_row' AND tgrelid = " +
                                                  c.db.source().literal(t.qualified) + "::regclass") == "0")
            missing++;
    }
    if (missing > 0)
        c.plan.add(true, "attach the context triggers to " + std::to_string(missing) + " more tables", "CALL pgtrail.attach_context_triggers()");
}

void plan_slot(SetupContext &c) {
    const std::string &slot = c.config.slot;
    std::string unsupported = failover_unsupported(c.config, std::stoi(c.db.source().value("SHOW server_version_num")));
    if (!unsupported.empty()) throw SetupFailure(unsupported);
    auto rows = c.db.source().rows("SELECT plugin, slot_type" + std::string(c.config.failover ? ", failover" : "") +
                                   " FROM pg_replication_slots WHERE slot_name = " + c.db.source().literal(slot));
    if (rows.empty()) {
        std::string args = c.db.source().literal(slot) + ", " + c.db.source().literal(c.plugin);
        if (c.config.failover)
            c.plan.add(true, "create the logical replication slot " + slot + " (plugin " + c.plugin + ", failover)",
                       "SELECT pg_create_logical_replication_slot(" + args + ", failover => true)");
        else
            c.plan.add(true, "create the logical replication slot " + slot + " (plugin " + c.plugin + ")",
                       "SELECT pg_create_logical_replication_slot(" + args + ")");
        return;
    }
    if (rows[0][0] != c.plugin || rows[0][1] != "logical")
        throw SetupFailure("replication slot " + slot + " exists but is a " + rows[0][1] + " slot for plugin \"" + rows[0][0] +
                           "\"; choose another --slot");
    // ALTER_REPLICATION_SLOT is a replication command; setup's connections are not replication ones.
    if (c.config.failover && rows[0][2] != "t")
        throw SetupFailure("replication slot " + slot + " exists without failover; pgtrail run --failover turns it on "
                           "(ALTER_REPLICATION_SLOT), or drop the slot and run setup --failover again");
}

/// The schema version the changes table is at (0: no table); throws SetupFailure when it is newer than this pgtrail.
int changes_table_version(BlockingPg &dest, const TableName &table) {
    try {
        return read_schema_version(dest, table);
    } catch (const SchemaTooNew &error) {
        throw SetupFailure(error.what());
    }
}

/// --partition-by: a new table is created partitioned; an existing plain one is left as it is,
/// and the statements that would convert it are printed.
void plan_partitioning(SetupContext &c, const TableName &table, int version) {
    BlockingPg &dest = c.db.destination();
    SqlQuoting quote = sql_quoting(dest.get());
    if (version == 0) {
        c.plan.add(false, "create the changes table " + qualified(table) + " partitioned by committed_at (one partition per " +
                              c.config.partition_by + ", created by pgtrail run), with a default partition",
                   partitioned_changes_table_ddl(table, quote), {}, true);
        return;
    }
    auto kind = dest.rows(relkind_query(table, quote));
    if (kind.size() == 1 && kind[0][0] == "p") return;
    std::cout << partition_conversion_script(dest, table, c.config.partition_by) << "\n";
}

void plan_changes_table(SetupContext &c) {
    BlockingPg &dest = c.db.destination();
    TableName table = parse_table_name(c.config.changes_table);
    SqlQuoting quote = sql_quoting(dest.get());
    if (!table.schema.empty() && dest.value("SELECT count(*) FROM pg_namespace WHERE nspname = " + quote.literal(table.schema)) == "0")
        c.plan.add(false, "create schema " + table.schema + " for the changes table", "CREATE SCHEMA " + quote.identifier(table.schema));
    int version = changes_table_version(dest, table);
    if (!c.config.partition_by.empty()) plan_partitioning(c, table, version);
    for (const auto &migration : migrations_after(version, table, quote))
        c.plan.add(false, migration.what + " (" + qualified(table) + ", schema version " + std::to_string(migration.version) + ")",
                   migration.body, {}, true);
}

void plan_origin(SetupContext &c) {
    if (planned_progress(c) == ProgressKind::table) return;  // pgtrail.progress: created by the migrations
    std::string origin = c.config.origin_name();
    if (c.db.destination().value("SELECT count(*) FROM pg_replication_origin WHERE roname = " + c.db.destination().literal(origin)) != "0") return;
    c.plan.add(false, "create the replication origin " + origin, "SELECT pg_replication_origin_create(" + c.db.destination().literal(origin) + ")");
}

void plan_changes_table_setting(SetupContext &c) {
    BlockingPg &dest = c.db.destination();
    std::string table = changes_regclass(c.config);
    if (table == "changes") return;
    if (dest.value("SELECT current_setting('pgtrail.changes_table', true)") == table) return;
    std::string db = dest.value("SELECT current_database()");
    c.plan.add(false, "point the time travel functions at " + table + " (pgtrail.changes_table)",
               "ALTER DATABASE " + dest.ident(db) + " SET pgtrail.changes_table = " + dest.literal(table));
}

}  // namespace

std::string publication_name(const RunConfig &config) {
    auto names = split_list(config.publication);
    if (names.size() > 1) throw SetupFailure("give one --publication to set up, not a list");
    return names.empty() ? "pgtrail" : names[0];
}

std::string changes_regclass(const RunConfig &config) { return qualified(parse_table_name(config.changes_table)); }

std::vector<TrackedTable> planned_tables(SetupContext &c) {
    std::string changes = c.config.destination_is_source ? changes_regclass(c.config) : "";
    return c.publication_tables.empty() ? tracked_tables(c.db.source(), {}, c.config, changes)
                                        : listed_tables(c.db.source(), c.publication_tables, changes);
}

void plan_setup(SetupContext &c) {
    plan_publication(c);
    plan_replica_identity(c);
    if (c.options.event_trigger) plan_sql_part(c, SqlPart::replica_identity, true);
    if (c.options.context) {
        plan_sql_part(c, SqlPart::context, true);
        plan_context_triggers(c);
    }
    if (c.options.create_slot) plan_slot(c);
    plan_changes_table(c);
    plan_origin(c);
    plan_sql_part(c, SqlPart::time_travel, false);
    plan_changes_table_setting(c);
}

std::vector<std::string> after_adding_tables(SetupContext &c) {
    std::vector<std::string> steps;
    std::string table = "<table>";
    if (c.publication_lists_tables)
        steps.push_back("ALTER PUBLICATION " + c.db.source().ident(publication_name(c.config)) + " ADD TABLE " + table + ";");
    if (!c.options.event_trigger) steps.push_back("ALTER TABLE " + table + " REPLICA IDENTITY FULL;");
    if (!c.options.source_role.empty()) steps.push_back("GRANT SELECT ON " + table + " TO " + c.db.source().ident(c.options.source_role) + ";");
    if (c.options.context) steps.push_back("CALL pgtrail.attach_context_trigger('" + table + "');");
    return steps;
}

ProgressKind planned_progress(SetupContext &c) {
    BlockingPg &dest = c.db.destination();
    const std::string &role = c.options.destination_role;
    std::string who = role.empty() ? "current_user" : dest.literal(role);
    auto rows = dest.rows(
        "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = " + who + ") AND (SELECT bool_and(has_function_privilege(" + who +
        ", f, 'EXECUTE')) FROM unnest(" + sql_text_array(dest, kOriginFunctions) + ") f), "
        "(SELECT bool_and(has_function_privilege(f, 'EXECUTE WITH GRANT OPTION')) FROM unnest(" + sql_text_array(dest, kOriginFunctions) + ") f), "
        "to_regclass('pgtrail.progress') IS NOT NULL");
    bool role_may = rows[0][0] == "t", setup_may_grant = rows[0][1] == "t";
    bool has_row = rows[0][2] == "t" && dest.value(progress_row_query(c.config.origin_name(), sql_quoting(dest.get()))) == "t";
    return choose_progress(role_may || (!role.empty() && setup_may_grant), has_row);
}

}  // namespace pgtrail
