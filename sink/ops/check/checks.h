// The groups of checks `pgtrail check` runs, in the order an operator fixes things: server,
// replication, tables, slot, destination, then a temporary slot decoding for real. Each adds its
// items to the report; a later check skips itself when an earlier one it needs failed.
#pragma once

#include <string>

#include "config.h"
#include "ops/check/report.h"
#include "ops/check_command.h"
#include "pg/blocking_pg.h"

namespace pgtrail {

/// Where the server runs: managed hosts configure logical decoding their own way.
enum class Host { self_managed, rds, cloud_sql, supabase };

/// What the checks share: the settings, the report, the source connection and what earlier checks learnt.
struct CheckContext {
    const RunConfig &config;
    const CheckOptions &options;
    CheckReport &report;
    BlockingPg &source;
    std::string user;                   ///< the source connection's user
    Host host = Host::self_managed;
    bool slot_exists = false;           ///< set by check_replication (capacity)
    std::string plugin = "pgtrail";     ///< the decoding run will use (--plugin and its auto rule), set by check_server
};

/// server_checks.cpp: the host, server version, wal_level, output_plugin_libraries.
Host detect_host(BlockingPg &source);
void check_server(CheckContext &context);
/// replication_checks.cpp: the REPLICATION right, a replication connection, free slots and walsenders.
void check_replication(CheckContext &context);
/// table_checks.cpp: the publications and the tracked tables' replica identity.
void check_tables(CheckContext &context);
/// slot_checks.cpp: max_slot_wal_keep_size and the existing slot's state.
void check_slot(CheckContext &context);
/// destination_checks.cpp: the destination, its changes table, replication origins, time travel functions.
void check_destination(CheckContext &context);
/// decoding_check.cpp: a temporary pgtrail slot decodes a test message.
void check_decoding(CheckContext &context);
/// failover_checks.cpp (--failover): the failover slot, synchronized_standby_slots, the standby (--standby).
void check_failover(CheckContext &context);

}  // namespace pgtrail
