// The sink's metrics: counters and gauges updated by the session and the source monitor,
// rendered in Prometheus' text format; and the health verdict behind /healthz.
// Everything runs on the one io_context thread: plain fields, no atomics.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace pgtrail {

struct Metrics {
    using Clock = std::chrono::steady_clock;
    static constexpr std::array<double, 11> kBatchBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    // Written by the session.
    std::array<std::uint64_t, 4> changes{};  ///< committed, by operation: CREATE UPDATE DELETE TRUNCATE
    std::array<std::uint64_t, 4> pending{};  ///< in the open batch
    std::uint64_t batches = 0;
    std::uint64_t lossy_changes = 0;          ///< committed changes with columns listed in lossy (plugin or sink)
    std::uint64_t pending_lossy_changes = 0;  ///< such changes in the open batch
    std::uint64_t refused_changes = 0;        ///< committed changes with values jsonb refuses, stored in faithful form
    std::uint64_t pending_refused_changes = 0;
    std::uint64_t refused_batches = 0;        ///< batches refused for their data and retried change by change
    std::array<std::uint64_t, kBatchBuckets.size()> batch_buckets{};
    double batch_seconds_sum = 0;
    std::uint64_t received_bytes = 0;
    std::uint64_t confirmed_lsn = 0;
    std::uint64_t server_wal_end = 0;        ///< latest WAL end the walsender reported
    std::uint64_t caught_up_lsn = 0;         ///< furthest keepalive position with nothing in flight
    double lag_seconds = 0;                  ///< commit-to-written delay of the last batch; 0 when caught up
    double last_commit_unix = 0;             ///< source commit time of the last transaction written
    bool connected = false;
    Clock::time_point last_progress = Clock::now();  ///< confirmed_lsn last moved, or caught up (never a mere reconnect)
    std::uint64_t reconnects = 0;
    std::uint64_t errors = 0;

    // Written by the source monitor.
    bool slot_known = false;
    std::uint64_t source_wal_lsn = 0;
    std::int64_t lag_bytes = 0;              ///< source's current WAL minus the slot's confirmed_flush_lsn
    std::int64_t retained_bytes = 0;         ///< source's current WAL minus the slot's restart_lsn
    std::int64_t safe_wal_bytes = -1;        ///< until wal_status becomes lost (-1: unlimited)
    std::string wal_status;
    bool retained_warning = false;
    std::uint64_t heartbeats = 0;
    std::uint64_t monitor_errors = 0;

    // Written by the partition keeper (--partition-by, --retention).
    std::uint64_t partitions_created = 0;
    std::uint64_t partitions_dropped = 0;     ///< expired partitions dropped by --retention
    std::uint64_t retention_deleted_rows = 0; ///< expired rows deleted from the default partition
    std::uint64_t partition_errors = 0;       ///< failed maintenance passes (retried at the next one)
    // NATS JetStream (nats/): the reader's publishes, a writer's consumption (rates: rate() of the totals).
    bool nats_publishing = false, nats_consuming = false;
    std::uint64_t nats_published_messages = 0, nats_published_bytes = 0;
    std::uint64_t nats_stream_sequence = 0;          ///< the stream's last sequence the reader knows
    std::uint64_t nats_consumed_messages = 0;
    std::uint64_t nats_consumer_sequence = 0;        ///< stream sequence of the last message a writer committed
    std::int64_t nats_consumer_pending = 0;          ///< messages of the writer's subjects not delivered yet (its lag)

    int stall_timeout_s = 120;
    /// Where the stream is, as (commit LSN of the transaction being received, LSN of its last change):
    /// it grows in stream order, and a session reading again what an earlier one read (a crash
    /// loop) does not move received_max, so reconnecting is not mistaken for progress.
    std::pair<std::uint64_t, std::uint64_t> received_at{}, received_max{};
    std::pair<std::uint64_t, std::uint64_t> receive_mark{};  ///< received_max when last looked at
    Clock::time_point receive_moved = Clock::now();  ///< when received_max was last seen moving

    /// Notes whether the stream went further since the last call (a huge transaction being read is not a stall).
    void note_receiving();
    /// A transaction committed at commit_lsn begins arriving.
    void on_receive_begin(std::uint64_t commit_lsn);
    /// A message of the stream at lsn arrived.
    void on_received(std::uint64_t lsn);

    /// A change read into the open batch (op: I U D T).
    void on_change(char op);
    /// A batch committed in `seconds` ending with a source commit at commit_ts (the plugin's ts text).
    void on_batch(double seconds, std::uint64_t confirmed, std::string_view commit_ts);
    /// Everything up to wal_end is done (nothing in flight).
    void on_caught_up(std::uint64_t wal_end);
    void on_confirmed(std::uint64_t lsn);
    /// The stream acknowledged messages up to stream sequence last_seq.
    void on_published(std::size_t messages, std::uint64_t bytes, std::uint64_t last_seq);
    /// A writer committed messages up to stream sequence last_seq; pending: what the consumer has not delivered yet.
    void on_consumed(std::size_t messages, std::uint64_t last_seq, std::int64_t pending);
    void on_connected();
    void on_session_error();

    /// Prometheus text exposition.
    std::string render() const;
    /// Empty when healthy, else why not.
    std::string unhealthy_reason() const;
};

/// The process' metrics.
Metrics &metrics();

/// Parses "2026-11-21T09:26:00.123456+00:00" (or with a space) into Unix seconds; 0 when malformed.
double parse_commit_time(std::string_view ts);

}  // namespace pgtrail
