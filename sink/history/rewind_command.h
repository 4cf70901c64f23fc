// `pgtrail rewind --to INSTANT`: returns the tracked tables (or --tables) to their state at an instant
// (the net effect of undoing every later change: sql/rewind.sql, with sql/revert.sql's statements), in one
// transaction of the database that holds both the tables and the changes table.
#pragma once

#include <string>

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

struct RewindOptions {
    std::string to;                ///< the instant (timestamptz text)
    std::string tables;            ///< comma list of schema.table patterns (`*` wildcards); empty: every changed table
    bool dry_run = false;          ///< print the statements, change nothing
    bool force = false;            ///< rewind even when rows differ from their recorded images or the sink lags
    bool disable_triggers = false; ///< session_replication_role = replica (superuser): no triggers, no foreign key checks
    int wait_seconds = 30;         ///< how long to wait for pgtrail run to record the source's current WAL position
};

void add_rewind_options(CLI::App &rewind, RewindOptions &options);

/// Exit status 0 on success (or nothing to do), 1 on refusal or failure (the reason on stderr).
int rewind_command(const RunConfig &config, const RewindOptions &options);

}  // namespace pgtrail
