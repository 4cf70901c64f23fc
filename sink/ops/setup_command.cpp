// Setup and teardown: each step looks at the database first and is planned only when
// something is missing, so the plan can be printed (--dry-run) or run.
#include "ops/setup_command.h"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>

#include "pg/blocking_pg.h"
#include "log.h"
#include "pg/replication_stream.h"
#include "pg/quote.h"
#include "schema/migrate.h"
#include "schema/schema.h"
#include "schema/sql_install.h"
#include "ops/tracked_tables.h"

namespace pgtrail {

namespace {

constexpr const char *kSourcePasswordEnv = "PGTRAIL_SOURCE_ROLE_PASSWORD";
constexpr const char *kDestinationPasswordEnv = "PGTRAIL_DESTINATION_ROLE_PASSWORD";
constexpr const char *kOriginFunctions[] = {
    "pg_replication_origin_oid(text)", "pg_replication_origin_create(text)",
    "pg_replication_origin_session_setup(text)", "pg_replication_origin_xact_setup(pg_lsn, timestamptz)",
    "pg_replication_origin_progress(text, boolean)"};

/// A planned statement.
struct Step {
    bool on_source;
    std::string what;     ///< one line for the operator
    std::string sql;      ///< what runs
    std::string display;  ///< what --dry-run prints (sql when empty: hides passwords)
    bool transaction = false;
};

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Planner {
public:
    Planner(const RunConfig &config, const SetupOptions &options) : config_(config), options_(options) {}

    int setup();
    int teardown();

private:
    void connect();
    BlockingPg &dest() { return dest_ ? *dest_ : *source_; }
    void add(bool on_source, std::string what, std::string sql, std::string display = {}, bool transaction = false) {
        steps_.push_back({on_source, std::move(what), std::move(sql), std::move(display), transaction});
    }
    std::string publication_name() const;
    std::string changes_regclass() const { return qualified(parse_table_name(config_.changes_table)); }

    void plan_publication();
    void plan_replica_identity();
    void plan_sql_part(SqlPart part, bool on_source);
    void plan_context_triggers();
    void plan_slot();
    void plan_changes_table();
    void plan_origin();
    void plan_changes_table_setting();
    void plan_source_role();
    void plan_destination_role();
    int execute();

    const RunConfig &config_;
    const SetupOptions &options_;
    std::unique_ptr<BlockingPg> source_;
    std::unique_ptr<BlockingPg> dest_;
    std::vector<Step> steps_;
    std::vector<std::string> tracked_;  ///< qualified names of the tables the publication will hold
};

std::string join(const std::vector<std::string> &items, const char *separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); i++) out += (i ? separator : "") + items[i];
    return out;
}

void Planner::connect() {
    try {
        source_ = std::make_unique<BlockingPg>(config_.source);
    } catch (const PgError &error) {
        throw Failure("cannot connect to the source (" + config_.source.describe() + "): " + error.what());
    }
    if (config_.destination_is_source) return;
    try {
        dest_ = std::make_unique<BlockingPg>(config_.destination);
    } catch (const PgError &error) {
        throw Failure("cannot connect to the destination (" + config_.destination.describe() + "): " + error.what());
    }
}

std::string Planner::publication_name() const {
    auto names = split_list(config_.publication);
    if (names.size() > 1) throw Failure("give one --publication to set up, not a list");
    return names.empty() ? "pgtrail" : names[0];
}

void Planner::plan_publication() {
    std::string pub = publication_name();
    std::vector<std::string> wanted;  // qualified names, resolved
    for (const auto &name : split_list(options_.tables)) {
        std::string resolved = source_->value("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
                                              "ON n.oid = c.relnamespace WHERE c.oid = to_regclass(" + sql_literal(name) + ")");
        if (resolved.empty()) throw Failure("table " + name + " (--tables) does not exist in the source");
        wanted.push_back(resolved);
    }
    auto found = source_->rows("SELECT puballtables FROM pg_publication WHERE pubname = " + sql_literal(pub));
    auto current = source_->rows("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid "
                                 "JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE p.pubname = " + sql_literal(pub) + " ORDER BY 1");
    std::set<std::string> have;
    for (const auto &row : current) have.insert(row[0]);
    std::set<std::string> want(wanted.begin(), wanted.end());
    if (found.empty()) {
        if (wanted.empty())
            add(true, "create publication " + pub + " for all tables", "CREATE PUBLICATION " + sql_ident(pub) + " FOR ALL TABLES");
        else
            add(true, "create publication " + pub + " for " + join(wanted, ", "),
                "CREATE PUBLICATION " + sql_ident(pub) + " FOR TABLE " + join(wanted, ", "));
    } else if (!wanted.empty()) {
        if (found[0][0] == "t")
            throw Failure("publication " + pub + " is FOR ALL TABLES; drop it first (pgtrail teardown) to track only --tables");
        if (have != want)
            add(true, "set the tables of publication " + pub + " to " + join(wanted, ", "),
                "ALTER PUBLICATION " + sql_ident(pub) + " SET TABLE " + join(wanted, ", "));
    } else if (found[0][0] != "t") {
        wanted.assign(have.begin(), have.end());  // kept as it is
    }
    tracked_ = wanted;
}

void Planner::plan_replica_identity() {
    std::string changes = config_.destination_is_source ? changes_regclass() : "";
    std::vector<TrackedTable> tables = tracked_.empty() ? tracked_tables(*source_, {}, config_, changes)
                                                        : listed_tables(*source_, tracked_, changes);
    for (const auto &t : tables)
        if (t.replident != 'f')
            add(true, "REPLICA IDENTITY FULL on " + t.qualified, "ALTER TABLE " + t.qualified + " REPLICA IDENTITY FULL");
}

void Planner::plan_sql_part(SqlPart part, bool on_source) {
    BlockingPg &conn = on_source ? *source_ : dest();
    std::string state = conn.value(sql_part_state_query(part));
    if (state == "current") return;
    add(on_source, std::string(state == "missing" ? "install the " : "update the ") + sql_part_title(part) + " (" +
                       sql_part_files(part) + ")",
        sql_part_install(part), {}, true);
}

void Planner::plan_context_triggers() {
    bool installing = !steps_.empty() && steps_.back().what.find(sql_part_title(SqlPart::context)) != std::string::npos;
    if (installing) return;  // context.sql attaches the triggers itself
    std::string changes = config_.destination_is_source ? changes_regclass() : "";
    std::vector<TrackedTable> tables = tracked_.empty() ? tracked_tables(*source_, {}, config_, changes)
                                                        : listed_tables(*source_, tracked_, changes);
    std::size_t missing = 0;
    for (const auto &t : tables) {
        if (!t.partitioned && source_->value("SELECT count(*) FROM pg_trigger WHERE tgname = 'pgtrail_context_row' AND tgrelid = " +
                                             sql_literal(t.qualified) + "::regclass") == "0")
            missing++;
    }
    if (missing > 0)
        add(true, "attach the context triggers to " + std::to_string(missing) + " more tables", "CALL pgtrail.attach_context_triggers()");
}

void Planner::plan_slot() {
    auto rows = source_->rows("SELECT plugin, slot_type FROM pg_replication_slots WHERE slot_name = " + sql_literal(config_.slot));
    if (rows.empty()) {
        add(true, "create the logical replication slot " + config_.slot + " (plugin pgtrail)",
            "SELECT pg_create_logical_replication_slot(" + sql_literal(config_.slot) + ", 'pgtrail')");
        return;
    }
    if (rows[0][0] != "pgtrail" || rows[0][1] != "logical")
        throw Failure("replication slot " + config_.slot + " exists but is a " + rows[0][1] + " slot for plugin \"" + rows[0][0] +
                      "\"; choose another --slot");
}

void Planner::plan_changes_table() {
    TableName table = parse_table_name(config_.changes_table);
    SqlQuoting quote = sql_quoting(dest().get());
    if (!table.schema.empty() && dest().value("SELECT count(*) FROM pg_namespace WHERE nspname = " + quote.literal(table.schema)) == "0")
        add(false, "create schema " + table.schema + " for the changes table", "CREATE SCHEMA " + quote.identifier(table.schema));
    auto state = dest().rows(schema_state_query(table, quote));
    bool exists = state[0][0] == "t";
    std::optional<int> recorded;
    if (exists && state[0][1] == "t") {
        auto version = dest().rows(recorded_version_query(table, quote));
        if (!version.empty()) recorded = std::stoi(version[0][0]);
    }
    int from = 0;
    try {
        from = schema_version_of(table, exists, recorded);
    } catch (const SchemaTooNew &error) {
        throw Failure(error.what());
    }
    for (const auto &migration : migrations_after(from, table, quote))
        add(false, migration.what + " (" + qualified(table) + ", schema version " + std::to_string(migration.version) + ")",
            migration.body, {}, true);
}

void Planner::plan_origin() {
    if (dest().value("SELECT count(*) FROM pg_replication_origin WHERE roname = " + sql_literal(config_.origin_name())) != "0") return;
    add(false, "create the replication origin " + config_.origin_name(),
        "SELECT pg_replication_origin_create(" + sql_literal(config_.origin_name()) + ")");
}

void Planner::plan_changes_table_setting() {
    std::string table = changes_regclass();
    if (table == "changes") return;
    if (dest().value("SELECT current_setting('pgtrail.changes_table', true)") == table) return;
    std::string db = dest().value("SELECT current_database()");
    add(false, "point the time travel functions at " + table + " (pgtrail.changes_table)",
        "ALTER DATABASE " + sql_ident(db) + " SET pgtrail.changes_table = " + sql_literal(table));
}

void Planner::plan_source_role() {
    const std::string &role = options_.source_role;
    if (role.empty()) return;
    auto rows = source_->rows("SELECT rolcanlogin, rolreplication FROM pg_roles WHERE rolname = " + sql_literal(role));
    const char *password = std::getenv(kSourcePasswordEnv);
    if (rows.empty()) {
        std::string sql = "CREATE ROLE " + sql_ident(role) + " LOGIN REPLICATION";
        add(true, "create role " + role + " (LOGIN REPLICATION) for the source",
            sql + (password ? " PASSWORD " + sql_literal(password) : ""),
            sql + (password ? std::string(" PASSWORD '<$") + kSourcePasswordEnv + ">'" : ""));
    } else if (rows[0][0] != "t" || rows[0][1] != "t") {
        add(true, "let role " + role + " log in and replicate", "ALTER ROLE " + sql_ident(role) + " LOGIN REPLICATION");
    }
    std::string changes = config_.destination_is_source ? changes_regclass() : "";
    std::vector<TrackedTable> tables = tracked_.empty() ? tracked_tables(*source_, {}, config_, changes)
                                                        : listed_tables(*source_, tracked_, changes);
    std::set<std::string> schemas;
    for (const auto &t : tables) schemas.insert(source_->value("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " +
                                                               sql_literal(t.qualified) + "::regclass"));
    bool exists = !rows.empty();
    for (const auto &schema : schemas)
        if (!exists || source_->value("SELECT has_schema_privilege(" + sql_literal(role) + ", " + sql_literal(schema) + ", 'USAGE')") != "t")
            add(true, "let " + role + " use schema " + schema, "GRANT USAGE ON SCHEMA " + sql_ident(schema) + " TO " + sql_ident(role));
    for (const auto &t : tables)
        if (!exists || source_->value("SELECT has_table_privilege(" + sql_literal(role) + ", " + sql_literal(t.qualified) + ", 'SELECT')") != "t")
            add(true, "let " + role + " read " + t.qualified, "GRANT SELECT ON " + t.qualified + " TO " + sql_ident(role));
}

void Planner::plan_destination_role() {
    const std::string &role = options_.destination_role;
    if (role.empty()) return;
    TableName table = parse_table_name(config_.changes_table);
    std::string name = qualified(table);
    auto rows = dest().rows("SELECT rolcanlogin, rolreplication, rolsuper FROM pg_roles WHERE rolname = " + sql_literal(role));
    bool exists = !rows.empty();
    const char *password = std::getenv(kDestinationPasswordEnv);
    if (!exists) {
        std::string sql = "CREATE ROLE " + sql_ident(role) + " LOGIN";
        add(false, "create role " + role + " (LOGIN) for the destination", sql + (password ? " PASSWORD " + sql_literal(password) : ""),
            sql + (password ? std::string(" PASSWORD '<$") + kDestinationPasswordEnv + ">'" : ""));
    } else if (rows[0][0] != "t") {
        add(false, "let role " + role + " log in", "ALTER ROLE " + sql_ident(role) + " LOGIN");
    }
    std::string schema = table.schema.empty() ? dest().value("SELECT current_schema()") : table.schema;
    auto has = [&](const std::string &check) { return exists && dest().value("SELECT " + check) == "t"; };
    if (!has("has_schema_privilege(" + sql_literal(role) + ", " + sql_literal(schema) + ", 'USAGE')"))
        add(false, "let " + role + " use schema " + schema, "GRANT USAGE ON SCHEMA " + sql_ident(schema) + " TO " + sql_ident(role));
    bool table_planned = false;
    for (const auto &step : steps_) table_planned = table_planned || step.what.rfind("create the changes table", 0) == 0;
    auto table_has = [&](const std::string &privilege) {
        return !table_planned && has("has_table_privilege(" + sql_literal(role) + ", " + sql_literal(name) + ", '" + privilege + "')");
    };
    if (!table_has("INSERT") || !table_has("SELECT"))
        add(false, "let " + role + " insert into and read " + name, "GRANT SELECT, INSERT ON " + name + " TO " + sql_ident(role));
    if (dest().value("SELECT to_regclass('pgtrail.schema_version') IS NULL") == "t" ||
        !has("has_table_privilege(" + sql_literal(role) + ", 'pgtrail.schema_version', 'SELECT')"))
        add(false, "let " + role + " read pgtrail.schema_version",
            "GRANT USAGE ON SCHEMA pgtrail TO " + sql_ident(role) + "; GRANT SELECT ON pgtrail.schema_version TO " + sql_ident(role));
    for (const char *function : kOriginFunctions)
        if (!has("has_function_privilege(" + sql_literal(role) + ", " + sql_literal(function) + ", 'EXECUTE')"))
            add(false, "let " + role + " call " + function, "GRANT EXECUTE ON FUNCTION " + std::string(function) + " TO " + sql_ident(role));
}

int Planner::execute() {
    if (steps_.empty()) {
        std::cout << "nothing to do: everything is set up already\n";
        return 0;
    }
    if (options_.dry_run) {
        bool on_source = true, first = true;
        for (const auto &step : steps_) {
            if (first || step.on_source != on_source)
                std::cout << (first ? "" : "\n") << "-- on the " << (step.on_source ? "source" : "destination") << " ("
                          << (step.on_source ? *source_ : dest()).describe() << ")\n";
            first = false;
            on_source = step.on_source;
            std::cout << "-- " << step.what << "\n" << (step.display.empty() ? step.sql : step.display) << ";\n";
        }
        return 0;
    }
    for (const auto &step : steps_) {
        BlockingPg &conn = step.on_source ? *source_ : dest();
        try {
            conn.exec(step.transaction ? "BEGIN; " + step.sql + "; COMMIT" : step.sql);
        } catch (const PgError &error) {
            if (step.transaction) {
                try {
                    conn.exec("ROLLBACK");
                } catch (const PgError &) {
                }
            }
            throw Failure("could not " + step.what + ": " + error.what() +
                          (error.sqlstate == "42501" ? " (run pgtrail setup as a superuser or the owner)" : ""));
        }
        std::cout << "done: " << step.what << "\n";
    }
    return 0;
}

int Planner::setup() {
    try {
        connect();
        plan_publication();
        plan_replica_identity();
        if (options_.event_trigger) plan_sql_part(SqlPart::replica_identity, true);
        if (options_.context) {
            plan_sql_part(SqlPart::context, true);
            plan_context_triggers();
        }
        if (options_.create_slot) plan_slot();
        plan_changes_table();
        plan_origin();
        plan_sql_part(SqlPart::time_travel, false);
        plan_changes_table_setting();
        plan_source_role();
        plan_destination_role();
        int status = execute();
        if (!options_.dry_run && status == 0)
            std::cout << "next: pgtrail run --publication " << publication_name()
                      << (config_.slot != "pgtrail" ? " --slot " + config_.slot : "") << "\n";
        return status;
    } catch (const Failure &error) {
        std::cerr << "pgtrail setup: " << error.what() << "\n";
        return 1;
    } catch (const PgError &error) {
        std::cerr << "pgtrail setup: " << error.what() << "\n";
        return 1;
    }
}

int Planner::teardown() {
    try {
        connect();
        auto slot = source_->rows("SELECT active_pid FROM pg_replication_slots WHERE slot_name = " + sql_literal(config_.slot));
        if (!slot.empty() && !slot[0][0].empty())
            throw Failure("slot " + config_.slot + " is in use by process " + slot[0][0] + ": stop pgtrail run first");
        if (!slot.empty())
            add(true, "drop the replication slot " + config_.slot, "SELECT pg_drop_replication_slot(" + sql_literal(config_.slot) + ")");
        std::string pub = publication_name();
        if (source_->value("SELECT count(*) FROM pg_publication WHERE pubname = " + sql_literal(pub)) != "0")
            add(true, "drop publication " + pub, "DROP PUBLICATION " + sql_ident(pub));
        if (source_->value("SELECT count(*) FROM pg_event_trigger WHERE evtname = 'pgtrail_replica_identity_on_create_table'") != "0")
            add(true, "drop the REPLICA IDENTITY FULL event trigger", "DROP EVENT TRIGGER pgtrail_replica_identity_on_create_table");
        if (dest().value("SELECT count(*) FROM pg_replication_origin WHERE roname = " + sql_literal(config_.origin_name())) != "0")
            add(false, "drop the replication origin " + config_.origin_name(),
                "SELECT pg_replication_origin_drop(" + sql_literal(config_.origin_name()) + ")");
        if (options_.drop_data) {
            std::string table = changes_regclass();
            if (dest().value("SELECT to_regclass(" + sql_literal(table) + ") IS NOT NULL") == "t")
                add(false, "drop the changes table " + table + " (--drop-data)", "DROP TABLE " + table);
            if (dest().value("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgtrail'") != "0")
                add(false, "drop schema pgtrail (--drop-data)", "DROP SCHEMA pgtrail CASCADE");
            if (!config_.destination_is_source &&
                source_->value("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgtrail'") != "0")
                add(true, "drop schema pgtrail and the context triggers (--drop-data)", "DROP SCHEMA pgtrail CASCADE");
        }
        int status = execute();
        if (!options_.drop_data && !options_.dry_run && status == 0)
            std::cout << "kept: the changes table " << changes_regclass() << " (drop it with --drop-data)\n";
        return status;
    } catch (const Failure &error) {
        std::cerr << "pgtrail teardown: " << error.what() << "\n";
        return 1;
    } catch (const PgError &error) {
        std::cerr << "pgtrail teardown: " << error.what() << "\n";
        return 1;
    }
}

}  // namespace

void add_setup_options(CLI::App &setup, SetupOptions &o) {
    setup.add_flag("--dry-run", o.dry_run, "Print the SQL instead of running it");
    setup.add_option("--tables", o.tables, "The publication's tables (comma list; default: all tables)");
    setup.add_flag("--context", o.context, "Install the context triggers (sql/context.sql) on the source");
    setup.add_flag("--event-trigger", o.event_trigger, "Also set REPLICA IDENTITY FULL on tables created later (superuser)");
    setup.add_flag("!--no-slot", o.create_slot, "Do not create the slot (pgtrail run creates it)");
    setup.add_option("--source-role", o.source_role,
                     "Create a least-privilege source role (LOGIN REPLICATION, SELECT on the tracked tables); password from PGTRAIL_SOURCE_ROLE_PASSWORD");
    setup.add_option("--destination-role", o.destination_role,
                     "Create a least-privilege destination role (INSERT and SELECT on the changes table, replication origins); password from PGTRAIL_DESTINATION_ROLE_PASSWORD");
}

void add_teardown_options(CLI::App &teardown, SetupOptions &o) {
    teardown.add_flag("--dry-run", o.dry_run, "Print the SQL instead of running it");
    teardown.add_flag("--drop-data", o.drop_data, "Also drop the changes table and schema pgtrail (the recorded history!)");
}

int setup_command(const RunConfig &config, const SetupOptions &options) { return Planner(config, options).setup(); }

int teardown_command(const RunConfig &config, const SetupOptions &options) { return Planner(config, options).teardown(); }

}  // namespace pgtrail
