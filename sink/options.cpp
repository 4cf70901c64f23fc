// The shared option groups, each registered once.
#include "options.h"

#include <CLI/CLI.hpp>

namespace pgtrail {

namespace {

/// Every change of a transaction carries its context: keep COPY rows far from PostgreSQL's 1 GB limit.
constexpr std::size_t kMaxContextBytesLimit = 64 * 1024 * 1024;

/// Lists the options added while it lives under heading in --help.
class HelpSection {
public:
    HelpSection(CLI::App &command, const char *heading) : command_(command) { command_.option_defaults()->group(heading); }
    ~HelpSection() { command_.option_defaults()->group("Options"); }

private:
    CLI::App &command_;
};

void add_connection_options(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Connections");
    command.add_option("--source", c.source_url,
                       "Source database: a libpq connection string or URI (default: DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD, then PG* variables)");
    command.add_option("--destination", c.destination_url,
                       "Destination database for the changes table (default: DESTINATION_DB_* variables, else the source)");
}

void add_slot_option(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Tracking");
    command.add_option("--slot", c.slot, "Logical replication slot (created with the pgtrail plugin when missing)")->capture_default_str();
}

void add_failover_option(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Tracking");
    command.add_flag("--failover", c.failover,
                     "The slot is a failover slot (PostgreSQL 17+): a standby with sync_replication_slots keeps it, so the "
                     "sink carries on after a promotion (an existing slot is altered)");
}

void add_plugin_option(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Tracking");
    command.add_option("--plugin", c.plugin,
                       "Output plugin: pgtrail, pgoutput (the server's own, e.g. on managed services), or auto: the slot's, "
                       "else pgtrail where the server allows and loads it, else pgoutput")
        ->capture_default_str()->check(CLI::IsMember({"auto", "pgtrail", "pgoutput"}));
}

void add_publication_option(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Tracking");
    command.add_option("--publication", c.publication, "Only track tables in these publications (comma list)");
}

void add_table_filter_options(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Tracking");
    command.add_option("--include-tables", c.include_tables, "Only track these tables (comma list of schema.table patterns, * wildcards)");
    command.add_option("--exclude-tables", c.exclude_tables, "Never track these tables (comma list of schema.table patterns)");
}

void add_changes_table_option(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Tracking");
    command.add_option("--changes-table", c.changes_table, "Table the changes go to: [schema.]name")->capture_default_str();
}

void add_policy_options(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Data policies");
    command.add_option("--redact", c.redact,
                       "Never store these columns' values (comma list of schema.table.column patterns, * wildcards): "
                       "a fixed marker replaces them in before and after (docs/POLICIES.md)");
    command.add_flag("--redact-hash", c.redact_hash,
                     "Replace redacted values by their HMAC-SHA256 (equal values stay equal); the key from --redact-key-file or PGTRAIL_REDACT_KEY");
    command.add_option("--redact-key-file", c.redact_key_file, "File holding the key of --redact-hash (never stored in the destination)");
}

void add_partition_option(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Data policies");
    command.add_option("--partition-by", c.partition_by,
                       "Create the changes table partitioned by committed_at, one partition per day or month (UTC), "
                       "with a default partition; an existing unpartitioned table is never converted")
        ->check(CLI::IsMember({"day", "month"}));
}

void add_retention_options(CLI::App &run, RunConfig &c) {
    HelpSection section(run, "Data policies");
    run.add_option("--ignore-columns", c.ignore_columns,
                   "An UPDATE that changes only these columns is not recorded (schema.table.column patterns; "
                   "needs REPLICA IDENTITY FULL to compare, else recorded)");
    run.add_option("--retention", c.retention,
                   "Drop whole partitions of changes older than this (e.g. 30d, 12h, 8w, 6mon); needs a partitioned table");
    run.add_option("--partition-check-interval", c.partition_check_interval_s,
                   "Seconds between creating partitions ahead and applying --retention")
        ->capture_default_str()->check(CLI::Range(1, 86400));
}

void add_logging_options(CLI::App &command, RunConfig &c) {
    HelpSection section(command, "Logging");
    command.add_option("--log-level", c.log_level, "debug, info, warn or error")->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}));
    command.add_option("--log-format", c.log_format, "text or json")->capture_default_str()->check(CLI::IsMember({"text", "json"}));
}

void add_decoding_options(CLI::App &run, RunConfig &c) {
    run.add_option("--exclude-origins", c.exclude_origins, "Skip transactions replayed under these replication origins")->capture_default_str();
    run.add_option("--context-prefixes", c.context_prefixes, "Logical message prefixes carrying context (comma list)")
        ->delimiter(',')->capture_default_str();
    run.add_option("--max-context-bytes", c.max_context_bytes,
                   "Larger context messages are stored truncated to this size as {\"_raw\": ...}")
        ->capture_default_str()->check(CLI::Range(std::size_t{1}, kMaxContextBytesLimit));
}

void add_timing_options(CLI::App &run, RunConfig &c) {
    run.add_option("--batch-size", c.batch_size, "Commit the destination after about this many changes")->capture_default_str()->check(CLI::PositiveNumber);
    run.add_option("--batch-time-ms", c.batch_time_ms, "Commit the destination when the oldest uncommitted change is this old")
        ->capture_default_str()->check(CLI::PositiveNumber);
    run.add_option("--status-interval", c.status_interval_s, "Seconds between standby status updates at most")->capture_default_str()->check(CLI::Range(1, 3600));
    run.add_option("--stats-interval", c.stats_interval_s, "Seconds between batch statistics in the log")->capture_default_str()->check(CLI::Range(1, 86400));
    run.add_option("--receive-timeout", c.receive_timeout_s,
                   "Seconds of silence from the source (asked for a keepalive at half) before reconnecting, like wal_receiver_timeout")
        ->capture_default_str()->check(CLI::Range(2, 3600));
    run.add_option("--max-backoff", c.max_backoff_s, "Cap in seconds of the reconnect delay")->capture_default_str()->check(CLI::Range(1, 3600));
}

void add_stream_options(CLI::App &run, RunConfig &c) {
    HelpSection section(run, "Streaming");
    add_decoding_options(run, c);
    add_timing_options(run, c);
}

void add_service_options(CLI::App &run, OpsOptions &o) {
    HelpSection section(run, "Metrics and slot safety");
    run.add_option("--metrics-listen", o.metrics_listen,
                   "Serve Prometheus /metrics and /healthz on host:port (e.g. 127.0.0.1:9187; :9187 is loopback, 0.0.0.0:9187 every address)");
    run.add_option("--metrics-max-connections", o.metrics_max_connections,
                   "Open metrics clients at most; at the cap the one idle longest is closed to make room")
        ->capture_default_str()->check(CLI::Range(1, 1000));
    run.add_option("--metrics-request-timeout", o.metrics_request_timeout_s,
                   "Seconds a metrics client has to send one request and read the answer (a total, never extended)")
        ->capture_default_str()->check(CLI::Range(1, 3600));
    run.add_option("--heartbeat-interval", o.heartbeat_interval_s,
                   "Seconds between heartbeats (pg_logical_emit_message on the source) so the slot advances on idle databases; 0: off")
        ->capture_default_str()->check(CLI::Range(0, 86400));
    run.add_option("--monitor-interval", o.monitor_interval_s, "Seconds between reads of the slot's lag and retained WAL")
        ->capture_default_str()->check(CLI::Range(1, 3600));
    add_retained_wal_warn_option(run, o.retained_wal_warn);
    run.add_option("--stall-timeout", o.stall_timeout_s, "/healthz fails when WAL is pending and nothing was confirmed for this many seconds")
        ->capture_default_str()->check(CLI::Range(1, 86400));
}

void add_ssh_options(CLI::App &command, OpsOptions &o) {
    HelpSection section(command, "SSH tunnel");
    command.add_option("--ssh-host", o.ssh_host, "Reach the source through an SSH tunnel: user@host[:port] (the source's host as that server sees it)");
    command.add_option("--ssh-known-hosts", o.ssh_known_hosts, "known_hosts file with the SSH server's host key (required with --ssh-host)");
    command.add_option("--ssh-identity", o.ssh_identity, "Private key for the SSH tunnel (see pgtrail ssh-keygen)");
    command.add_option("--ssh-binary", o.ssh_binary, "The OpenSSH client to run")->capture_default_str();
}

}  // namespace

void add_option_groups(CLI::App &command, RunConfig &config, unsigned groups) {
    if (groups & kConnectionOptions) add_connection_options(command, config);
    if (groups & kSshOptions) add_ssh_options(command, config.ops);
    if (groups & kSlotOption) add_slot_option(command, config);
    if (groups & kPluginOption) add_plugin_option(command, config);
    if (groups & kFailoverOption) add_failover_option(command, config);
    if (groups & kPublicationOption) add_publication_option(command, config);
    if (groups & kTableFilterOptions) add_table_filter_options(command, config);
    if (groups & kChangesTableOption) add_changes_table_option(command, config);
    if (groups & kStreamOptions) add_stream_options(command, config);
    if (groups & kServiceOptions) add_service_options(command, config.ops);
    if (groups & kPolicyOptions) add_policy_options(command, config);
    if (groups & kPartitionOption) add_partition_option(command, config);
    if (groups & kRetentionOptions) add_retention_options(command, config);
    if (groups & kLoggingOptions) add_logging_options(command, config);
}

void add_retained_wal_warn_option(CLI::App &command, std::uint64_t &bytes) {
    command.add_option("--retained-wal-warn", bytes, "Warn when the slot retains more WAL than this (e.g. 1GB)")
        ->transform(CLI::AsSizeValue(false))->capture_default_str();
}

}  // namespace pgtrail
