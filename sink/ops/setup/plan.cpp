// Printing and running a setup or teardown plan.
#include "ops/setup/plan.h"

#include <iostream>

namespace pgtrail {

namespace {

void print_plan(const Plan &plan, SetupConnections &db) {
    bool on_source = true, first = true;
    for (const auto &step : plan.steps()) {
        if (first || step.on_source != on_source)
            std::cout << (first ? "" : "\n") << "-- on the " << (step.on_source ? "source" : "destination") << " ("
                      << db.of(step).describe() << ")\n";
        first = false;
        on_source = step.on_source;
        std::cout << "-- " << step.what << "\n" << (step.display.empty() ? step.sql : step.display) << ";\n";
    }
}

void run_step(const Step &step, BlockingPg &conn) {
    try {
        conn.exec(step.transaction ? "BEGIN; " + step.sql + "; COMMIT" : step.sql);
    } catch (const PgError &error) {
        if (step.transaction) {
            try {
                conn.exec("ROLLBACK");
            } catch (const PgError &) {
            }
        }
        throw SetupFailure("could not " + step.what + ": " + error.what() +
                           (error.sqlstate == "42501" ? " (run pgtrail setup as a superuser or the owner)" : ""));
    }
    std::cout << "done: " << step.what << "\n";
}

}  // namespace

bool Plan::has_step(std::string_view prefix) const {
    for (const auto &step : steps_)
        if (std::string_view(step.what).substr(0, prefix.size()) == prefix) return true;
    return false;
}

SetupConnections::SetupConnections(const RunConfig &config) {
    try {
        source_ = std::make_unique<BlockingPg>(config.source);
    } catch (const PgError &error) {
        throw SetupFailure("cannot connect to the source (" + config.source.describe() + "): " + error.what());
    }
    if (config.destination_is_source) return;
    try {
        dest_ = std::make_unique<BlockingPg>(config.destination);
    } catch (const PgError &error) {
        throw SetupFailure("cannot connect to the destination (" + config.destination.describe() + "): " + error.what());
    }
}

void carry_out(const Plan &plan, SetupConnections &db, bool dry_run) {
    if (plan.steps().empty())
        std::cout << "nothing to do: everything is set up already\n";
    else if (dry_run)
        print_plan(plan, db);
    else
        for (const auto &step : plan.steps()) run_step(step, db.of(step));
}

}  // namespace pgtrail
