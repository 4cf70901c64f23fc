// `pgtrail setup` and `pgtrail teardown`: plan (ops/setup/), then print or run the plan.
#include "ops/setup_command.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "ops/decoding_probe.h"
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

/// The plugin the slot will decode with: --plugin, or the auto rule on the source (check does the same).
std::string setup_plugin(SetupContext &c) {
    if (c.config.plugin != "auto") return c.config.plugin;
    DecodingProbe probe = probe_decoding(c.db.source(), c.config, 10);
    std::cout << "-- decoding with " << probe.choice.plugin << ": " << probe.choice.reason << "\n";
    return probe.choice.plugin;
}

/// How to start run afterwards, and what to run when tables are added later.
void print_next_steps(SetupContext &c) {
    std::string pub = publication_name(c.config);
    std::vector<std::string> after = after_adding_tables(c);
    if (!after.empty()) {
        std::cout << "-- after adding a table to the source, run there:\n";
        for (const auto &statement : after) std::cout << statement << "\n";
    }
    if (c.options.dry_run) return;
    // The plugin tracks all tables without --publication; pgoutput reads pgtrail by default.
    bool name_publication = c.plugin != "pgoutput" || pub != "pgtrail";
    std::cout << "next: pgtrail run" << (c.plugin == "pgoutput" && !c.options.create_slot ? " --plugin pgoutput" : "")
              << (name_publication ? " --publication " + pub : "") << (c.config.slot != "pgtrail" ? " --slot " + c.config.slot : "")
              << "\n";
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
    setup.add_option("--reader-role", o.reader_role,
                     "Create a read-only destination role for pgtrail ui (SELECT on the changes table, read-only sessions); password from PGTRAIL_READER_ROLE_PASSWORD");
}

void add_teardown_options(CLI::App &teardown, SetupOptions &o) {
    teardown.add_flag("--dry-run", o.dry_run, "Print the SQL instead of running it");
    teardown.add_flag("--drop-data", o.drop_data, "Also drop the changes table and schema pgtrail (the recorded history!)");
}

int setup_command(const RunConfig &config, const SetupOptions &options) {
    auto plan = [](SetupContext &c) {
        c.plugin = setup_plugin(c);
        plan_setup(c);
        plan_roles(c);
    };
    auto next = [](SetupContext &c) { print_next_steps(c); };
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
