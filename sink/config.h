// The configuration every command reads (each takes the part its options set, see options.h),
// and Bemi's environment variables.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "nats/nats_config.h"
#include "ops/ops_options.h"

namespace pgtrail {

/// libpq keyword/value pairs; a "dbname" holding a connection string or URI is expanded.
/// The password, when set, comes from the environment and is never printed.
struct ConnParams {
    std::vector<std::pair<std::string, std::string>> params;
    /// host:port/dbname for logs (never the password).
    std::string describe() const;
    /// True when a keyword is set, also inside a connection string or URI given as dbname.
    bool has(const std::string &keyword) const;
};

struct RunConfig {
    ConnParams source;
    ConnParams destination;
    bool destination_is_source = true;
    std::string slot = "pgtrail";
    /// Output plugin of the slot: pgtrail, pgoutput, or auto (stream/decoding_choice.h).
    std::string plugin = "auto";
    bool failover = false;                         ///< the slot syncs to standbys (17+, --failover)
    std::string publication;                       ///< the plugin's "publications" (empty: all tables); pgoutput: see pgoutput_publications()
    std::string include_tables;                    ///< plugin include-tables
    std::string exclude_tables;                    ///< plugin exclude-tables (the changes table is always added)
    std::string exclude_origins = "pgtrail*";      ///< plugin exclude-origins
    std::string changes_table = "changes";
    std::vector<std::string> context_prefixes{"_bemi"};
    std::size_t max_context_bytes = 1024 * 1024;   ///< larger contexts are stored truncated as {"_raw": ...}
    std::size_t batch_size = 10000;                ///< changes per destination transaction (soft)
    int batch_time_ms = 200;                       ///< oldest uncommitted change (soft)
    int status_interval_s = 10;                    ///< standby status updates at least this often
    int stats_interval_s = 60;                     ///< batch statistics in the log
    int max_backoff_s = 30;                        ///< reconnect delay cap
    int receive_timeout_s = 60;                    ///< source silent this long (pinged at half): reconnect
    bool accept_gap = false;                       ///< --accept-gap: start over a lost slot or another source, recording the gap
    // Data policies (docs/POLICIES.md): --redact, --redact-hash, --ignore-columns.
    std::string redact;                            ///< schema.table.column patterns whose values never reach changes
    bool redact_hash = false;                      ///< keyed hash (HMAC-SHA256) instead of the fixed marker
    std::string redact_key;                        ///< its key: --redact-key-file's content or PGTRAIL_REDACT_KEY (never logged or stored)
    std::string redact_key_file;
    std::string ignore_columns;                    ///< an UPDATE changing only these columns is not recorded
    std::string partition_by;                      ///< "", day or month: changes partitioned by committed_at
    std::string retention;                         ///< --retention as given ("30d"); "" keeps everything
    std::string retention_interval;                ///< the same as a PostgreSQL interval ("30 days")
    int partition_check_interval_s = 600;          ///< partitions ahead and retention checked this often
    int partitions_ahead = 3;                      ///< units (days, months) created ahead of now
    std::string log_level = "info";
    std::string log_format = "text";
    std::string source_url;                        ///< --source as given
    std::string destination_url;                   ///< --destination as given

    OpsOptions ops;                                ///< metrics, heartbeats, slot safety, SSH (ops_options.h)
    NatsOptions nats;                              ///< NATS JetStream (nats/nats_config.h): run --nats, write

    /// The publications pgoutput reads: --publication, else "pgtrail" (what `pgtrail setup` creates).
    std::string pgoutput_publications() const { return publication.empty() ? "pgtrail" : publication; }
    /// The replication origin in the destination.
    std::string origin_name() const { return "pgtrail_" + slot; }
};

/// Fills source/destination from --source/--destination and the environment; checks values.
/// Throws std::invalid_argument with a one-sentence message.
void resolve_run_config(RunConfig &config);

}  // namespace pgtrail
