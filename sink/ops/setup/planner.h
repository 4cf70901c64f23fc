// The planners of `pgtrail setup` (setup_planner.cpp: publication, tables, slot, changes table,
// origin, functions; role_planner.cpp: least-privilege roles) and `pgtrail teardown`
// (teardown_planner.cpp). Each looks at the databases and plans only what is missing.
#pragma once

#include <string>
#include <vector>

#include "schema/progress.h"
#include "config.h"
#include "ops/setup/plan.h"
#include "ops/setup_command.h"
#include "ops/tracked_tables.h"

namespace pgtrail {

/// What the planners share.
struct SetupContext {
    const RunConfig &config;
    const SetupOptions &options;
    SetupConnections &db;
    Plan &plan;
    std::vector<std::string> publication_tables;  ///< qualified names the publication will hold (empty: all tables)
    std::string plugin = "pgtrail";               ///< the slot's plugin (--plugin; auto: ops/decoding_probe.h)
    bool publication_lists_tables = false;        ///< the publication names its tables: new ones must be added to it
};

/// The one --publication to set up or tear down (default pgtrail); throws SetupFailure on a list.
std::string publication_name(const RunConfig &config);
/// The changes table's qualified name.
std::string changes_regclass(const RunConfig &config);
/// The tables the publication will hold (all tracked tables when it is for all tables), with partitions.
std::vector<TrackedTable> planned_tables(SetupContext &context);

/// Where the sink will keep its progress: the origin when the destination role (else setup's user)
/// may use it or setup may grant it, else pgtrail.progress (schema/progress.h).
ProgressKind planned_progress(SetupContext &context);

void plan_setup(SetupContext &context);
/// What to run after adding a table to the source (empty when nothing), one statement a line.
std::vector<std::string> after_adding_tables(SetupContext &context);
void plan_roles(SetupContext &context);
void plan_teardown(SetupContext &context);

}  // namespace pgtrail
