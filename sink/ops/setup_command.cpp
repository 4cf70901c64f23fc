// `pgtrail setup` and `pgtrail teardown`: plan (ops/setup/), then print or run the plan.
#include "ops/setup_command.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "ops/setup/planner.h"

namespace pgtrail {

namespace {

/// Connects, plans with planner, carries the plan out; after success, then(context). Exit status.
template <typename Planner, typename After>
int plan_and_carry_out(const char *command, const RunConfig &config, const SetupOptions &options, Planner planner, After then) {
    try {
        SetupConnections db(config);
        Plan plan;
        SetupContext context{config, options, db, plan, {}};
        planner(context);
        carry_out(plan, db, options.dry_run);
        then(context);
        return 0;
    } catch (const SetupFailure &error) {
        std::cerr << "pgtrail " << command << ": " << error.what() << "\n";
    } catch (const PgError &error) {
        std::cerr << "pgtrail " << command << ": " << error.what() << "\n";
    }
    return 1;
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

int setup_command(const RunConfig &config, const SetupOptions &options) {
    auto plan = [](SetupContext &c) {
        plan_setup(c);
        plan_roles(c);
    };
    auto next = [](SetupContext &c) {
        if (c.options.dry_run) return;
        std::cout << "next: pgtrail run --publication " << publication_name(c.config)
                  << (c.config.slot != "pgtrail" ? " --slot " + c.config.slot : "") << "\n";
    };
    return plan_and_carry_out("setup", config, options, plan, next);
}

int teardown_command(const RunConfig &config, const SetupOptions &options) {
    auto kept = [](SetupContext &c) {
        if (c.options.drop_data || c.options.dry_run) return;
        std::cout << "kept: the changes table " << changes_regclass(c.config) << " (drop it with --drop-data)\n";
    };
    return plan_and_carry_out("teardown", config, options, plan_teardown, kept);
}

}  // namespace pgtrail
