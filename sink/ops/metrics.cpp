// Metrics.
#include "ops/metrics.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "pg/copy_text.h"

namespace pgtrail {

namespace {

constexpr const char *kOperations[] = {"CREATE", "UPDATE", "DELETE", "TRUNCATE"};

int op_index(char op) {
    switch (op) {
    case 'I': return 0;
    case 'U': return 1;
    case 'D': return 2;
    default: return 3;
    }
}

double now_unix() { return static_cast<double>(now_unix_micros()) / 1e6; }

void metric(std::string &out, const char *name, const char *type, const char *help) {
    out += "# HELP ";
    out += name;
    out += " ";
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " ";
    out += type;
    out += "\n";
}

void sample(std::string &out, const std::string &name, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.17g\n", value);
    out += name;
    out += buf;
}

// A metric with one unlabelled sample: its HELP/TYPE header and the value.
void single(std::string &out, const char *name, const char *type, const char *help, double value) {
    metric(out, name, type, help);
    sample(out, name, value);
}

}  // namespace

Metrics &metrics() {
    static Metrics instance;
    return instance;
}

double parse_commit_time(std::string_view ts) {
    std::tm tm{};
    int year, month, day, hour, minute, consumed = 0;
    double second;
    std::string text(ts);
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*c%2d:%2d:%lf%n", &year, &month, &day, &hour, &minute, &second, &consumed) < 6)
        return 0;
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    double result = static_cast<double>(timegm(&tm)) + second;
    // Offset: +HH[:MM] or -HH[:MM].
    if (consumed > 0 && static_cast<std::size_t>(consumed) < text.size()) {
        int oh = 0, om = 0;
        char sign = text[consumed];
        if ((sign == '+' || sign == '-') && std::sscanf(text.c_str() + consumed + 1, "%2d:%2d", &oh, &om) >= 1)
            result -= (sign == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
    }
    return result;
}

void Metrics::on_change(char op) { pending[op_index(op)]++; }

void Metrics::on_batch(double seconds, std::uint64_t confirmed, std::string_view commit_ts) {
    for (std::size_t i = 0; i < changes.size(); i++) changes[i] += pending[i];
    pending = {};
    lossy_changes += pending_lossy_changes;
    refused_changes += pending_refused_changes;
    pending_lossy_changes = pending_refused_changes = 0;
    batches++;
    batch_seconds_sum += seconds;
    for (std::size_t i = 0; i < kBatchBuckets.size(); i++)
        if (seconds <= kBatchBuckets[i]) batch_buckets[i]++;
    if (double ts = parse_commit_time(commit_ts); ts > 0) {
        last_commit_unix = ts;
        lag_seconds = std::max(0.0, now_unix() - ts);
    }
    on_confirmed(confirmed);
}

void Metrics::on_caught_up(std::uint64_t wal_end) {
    server_wal_end = std::max(server_wal_end, wal_end);
    lag_seconds = 0;
    // Every new session gets a keepalive at a position seen before: only a further one is progress.
    if (wal_end <= caught_up_lsn) return;
    caught_up_lsn = wal_end;
    last_progress = Clock::now();
}

void Metrics::on_confirmed(std::uint64_t lsn) {
    if (lsn > confirmed_lsn) last_progress = Clock::now();
    confirmed_lsn = std::max(confirmed_lsn, lsn);
}

void Metrics::on_connected() {
    // Not progress: a sink that reconnects again and again without committing must become stalled.
    connected = true;
    pending = {};
    pending_lossy_changes = pending_refused_changes = 0;
}

void Metrics::on_session_error() {
    connected = false;
    pending = {};
    pending_lossy_changes = pending_refused_changes = 0;
    errors++;
    reconnects++;
}

void Metrics::note_receiving() {
    if (received_max == receive_mark) return;
    receive_mark = received_max;
    receive_moved = Clock::now();
}

void Metrics::on_receive_begin(std::uint64_t commit_lsn) { received_at = {commit_lsn, 0}; }

void Metrics::on_received(std::uint64_t lsn) {
    received_at.second = std::max(received_at.second, lsn);
    received_max = std::max(received_max, received_at);
}

std::string Metrics::unhealthy_reason() const {
    auto idle = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - std::max(last_progress, receive_moved)).count();
    if (slot_known && lag_bytes > 0 && idle > stall_timeout_s)
        return "stalled: " + std::to_string(lag_bytes) + " bytes of WAL pending and nothing new received or confirmed for " +
               std::to_string(idle) + " s" + (reconnects > 0 ? " (" + std::to_string(reconnects) + " reconnects so far)" : "");
    if (!connected) return "not connected";
    if (wal_status == "lost") return "the slot is lost (wal_status lost)";
    return "";
}

void Metrics::on_published(std::size_t messages, std::uint64_t bytes, std::uint64_t last_seq) {
    nats_publishing = true;
    nats_published_messages += messages;
    nats_published_bytes += bytes;
    nats_stream_sequence = last_seq;
    if (messages > 0) last_progress = Clock::now();
}

void Metrics::on_consumed(std::size_t messages, std::uint64_t last_seq, std::int64_t pending) {
    nats_consuming = true;
    nats_consumed_messages += messages;
    nats_consumer_sequence = std::max(nats_consumer_sequence, last_seq);
    nats_consumer_pending = pending;
    if (messages > 0) last_progress = Clock::now();
}

std::string Metrics::render() const {
    std::string out;
    metric(out, "pgtrail_changes_written_total", "counter", "Changes committed into the changes table, by operation.");
    for (std::size_t i = 0; i < changes.size(); i++)
        sample(out, std::string("pgtrail_changes_written_total{operation=\"") + kOperations[i] + "\"}", static_cast<double>(changes[i]));
    single(out, "pgtrail_lossy_changes_total", "counter",
           "Changes written with columns listed in lossy (a value replaced by its text or a placeholder, by the plugin or the sink).",
           static_cast<double>(lossy_changes));
    single(out, "pgtrail_refused_changes_total", "counter",
           "Changes holding values the destination's jsonb refuses (e.g. a json number over numeric's limits), found up front or in a refused batch, written in the closest faithful form.",
           static_cast<double>(refused_changes));
    single(out, "pgtrail_refused_batches_total", "counter", "Batches the destination refused for their data, retried change by change.",
           static_cast<double>(refused_batches));
    single(out, "pgtrail_batches_total", "counter", "Destination transactions committed.", static_cast<double>(batches));
    metric(out, "pgtrail_batch_duration_seconds", "histogram", "Time to write and commit a batch.");
    for (std::size_t i = 0; i < kBatchBuckets.size(); i++) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", kBatchBuckets[i]);
        sample(out, std::string("pgtrail_batch_duration_seconds_bucket{le=\"") + le + "\"}", static_cast<double>(batch_buckets[i]));
    }
    sample(out, "pgtrail_batch_duration_seconds_bucket{le=\"+Inf\"}", static_cast<double>(batches));
    sample(out, "pgtrail_batch_duration_seconds_sum", batch_seconds_sum);
    sample(out, "pgtrail_batch_duration_seconds_count", static_cast<double>(batches));
    single(out, "pgtrail_received_bytes_total", "counter", "Replication protocol bytes received from the source.", static_cast<double>(received_bytes));
    single(out, "pgtrail_confirmed_lsn", "gauge", "LSN confirmed to the source as flushed (as a number).", static_cast<double>(confirmed_lsn));
    single(out, "pgtrail_server_wal_end_lsn", "gauge", "Latest WAL end reported by the walsender (as a number).", static_cast<double>(server_wal_end));
    single(out, "pgtrail_lag_seconds", "gauge", "Source commit to destination commit delay of the last batch; 0 when caught up.", lag_seconds);
    single(out, "pgtrail_last_commit_timestamp_seconds", "gauge", "Source commit time of the last transaction written (Unix time).", last_commit_unix);
    single(out, "pgtrail_connected", "gauge", "1 while streaming.", connected ? 1 : 0);
    single(out, "pgtrail_reconnects_total", "counter", "Sessions that failed and were restarted.", static_cast<double>(reconnects));
    single(out, "pgtrail_errors_total", "counter", "Errors (failed sessions and failed monitor queries).", static_cast<double>(errors + monitor_errors));
    single(out, "pgtrail_heartbeats_total", "counter", "Heartbeat messages emitted on the source.", static_cast<double>(heartbeats));
    single(out, "pgtrail_partitions_created_total", "counter", "Partitions of changes created ahead (--partition-by).", static_cast<double>(partitions_created));
    single(out, "pgtrail_partitions_dropped_total", "counter", "Expired partitions of changes dropped (--retention).", static_cast<double>(partitions_dropped));
    single(out, "pgtrail_retention_deleted_rows_total", "counter", "Expired rows deleted from the default partition (--retention).",
           static_cast<double>(retention_deleted_rows));
    single(out, "pgtrail_partition_errors_total", "counter", "Failed partition maintenance passes (retried).", static_cast<double>(partition_errors));
    if (nats_publishing) {
        single(out, "pgtrail_nats_published_messages_total", "counter", "Messages the JetStream stream acknowledged.", static_cast<double>(nats_published_messages));
        single(out, "pgtrail_nats_published_bytes_total", "counter", "Change bytes in those messages.", static_cast<double>(nats_published_bytes));
        single(out, "pgtrail_nats_stream_sequence", "gauge", "The stream's last sequence the reader published.", static_cast<double>(nats_stream_sequence));
    }
    if (nats_consuming) {
        single(out, "pgtrail_nats_consumed_messages_total", "counter", "Messages written into the changes table.", static_cast<double>(nats_consumed_messages));
        single(out, "pgtrail_nats_consumer_sequence", "gauge", "Stream sequence of the last message committed into the destination.", static_cast<double>(nats_consumer_sequence));
        single(out, "pgtrail_nats_consumer_pending_messages", "gauge", "Messages of the writer's subjects in the stream not delivered yet (its lag).", static_cast<double>(nats_consumer_pending));
    }
    if (slot_known) {
        single(out, "pgtrail_source_wal_lsn", "gauge", "The source's current WAL position (as a number).", static_cast<double>(source_wal_lsn));
        single(out, "pgtrail_lag_bytes", "gauge", "Source WAL not yet confirmed by the slot (bytes).", static_cast<double>(lag_bytes));
        single(out, "pgtrail_slot_retained_wal_bytes", "gauge", "WAL the slot keeps on the source (bytes).", static_cast<double>(retained_bytes));
        single(out, "pgtrail_slot_safe_wal_bytes", "gauge", "WAL that can still be written before the slot is lost (-1: unlimited).", static_cast<double>(safe_wal_bytes));
        single(out, "pgtrail_slot_retained_wal_warning", "gauge", "1 when retained WAL passed --retained-wal-warn.", retained_warning ? 1 : 0);
        metric(out, "pgtrail_slot_wal_status", "gauge", "The slot's wal_status (1 for the current one).");
        for (const char *status : {"reserved", "extended", "unreserved", "lost"})
            sample(out, std::string("pgtrail_slot_wal_status{status=\"") + status + "\"}", wal_status == status ? 1 : 0);
    }
    single(out, "pgtrail_up", "gauge", "1 when /healthz would answer 200.", unhealthy_reason().empty() ? 1 : 0);
    return out;
}

}  // namespace pgtrail
