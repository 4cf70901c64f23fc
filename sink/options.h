// The command line's shared option groups. Each group is defined once, in options.cpp; main.cpp
// attaches to each command only the groups it uses, so `pgtrail COMMAND --help` lists only
// what that command reads. A command's own options live beside the command.
#pragma once

#include <cstdint>

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

/// The shared groups, combined with |.
enum OptionGroup : unsigned {
    kConnectionOptions = 1u << 0,  ///< --source, --destination
    kSlotOption = 1u << 1,         ///< --slot
    kPublicationOption = 1u << 2,  ///< --publication
    kTableFilterOptions = 1u << 3, ///< --include-tables, --exclude-tables
    kChangesTableOption = 1u << 4, ///< --changes-table
    kLoggingOptions = 1u << 5,     ///< --log-level, --log-format
    kStreamOptions = 1u << 6,      ///< run's decoding, batching and timing options
    kServiceOptions = 1u << 7,     ///< run's metrics endpoint, heartbeats and slot monitor
    kSshOptions = 1u << 8,         ///< --ssh-host, --ssh-known-hosts, --ssh-identity, --ssh-binary
    kPluginOption = 1u << 9,       ///< --plugin: pgtrail, pgoutput or auto
    kFailoverOption = 1u << 10,    ///< --failover: a failover slot (17+)
    kPolicyOptions = 1u << 11,     ///< --redact, --redact-hash, --redact-key-file
    kPartitionOption = 1u << 12,   ///< --partition-by
    kRetentionOptions = 1u << 13,  ///< run's --ignore-columns, --retention, --partition-check-interval
};

/// Registers the groups on command; their values land in config.
void add_option_groups(CLI::App &command, RunConfig &config, unsigned groups);

/// --retained-wal-warn: run's monitor and check warn above this much WAL kept by the slot.
void add_retained_wal_warn_option(CLI::App &command, std::uint64_t &bytes);

}  // namespace pgtrail
