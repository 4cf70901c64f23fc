// `pgtrail setup`: creates what pgtrail run needs, idempotently (a second run does nothing);
// `pgtrail teardown`: drops the slot, the origin and the publication (the data only on request).
// Both print the SQL instead of running it with --dry-run.
#pragma once

#include <string>

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

struct SetupOptions {
    bool dry_run = false;
    std::string tables;            ///< --tables a,b: the publication's tables (default: all tables)
    bool context = false;          ///< install sql/context.sql (context triggers)
    bool event_trigger = false;    ///< REPLICA IDENTITY FULL on tables created later
    bool create_slot = true;
    std::string source_role;       ///< least-privilege role for the source (REPLICATION + SELECT)
    std::string destination_role;  ///< least-privilege role writing the changes table
    std::string reader_role;       ///< read-only role for pgtrail ui (SELECT on the changes table)
    bool drop_data = false;        ///< teardown: also the changes table and schema pgtrail
};

void add_setup_options(CLI::App &setup, SetupOptions &options);
void add_teardown_options(CLI::App &teardown, SetupOptions &options);

/// Exit status 0 on success, 1 on failure.
int setup_command(const RunConfig &config, const SetupOptions &options);
int teardown_command(const RunConfig &config, const SetupOptions &options);

}  // namespace pgtrail
