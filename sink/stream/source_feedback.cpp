// Standby status updates and the source's liveness, for both kinds of streaming session.
#include "stream/source_feedback.h"

#include <algorithm>
#include <string>

#include "ops/metrics.h"
#include "pg/pg_connection.h"

namespace pgtrail {

namespace {

constexpr std::chrono::milliseconds kIdleWait{1000};

}  // namespace

void SourceFeedback::start(std::uint64_t lsn) {
    received_lsn_ = confirmed_lsn_ = lsn;
    last_receive_ = Clock::now();
}

void SourceFeedback::on_message(std::size_t bytes) {
    last_receive_ = Clock::now();
    pinged_ = false;
    metrics().received_bytes += bytes;
}

void SourceFeedback::listened() {
    last_receive_ = std::max(last_receive_, Clock::now());
}

void SourceFeedback::received(std::uint64_t lsn) {
    received_lsn_ = std::max(received_lsn_, lsn);
}

void SourceFeedback::confirm(std::uint64_t lsn) {
    confirmed_lsn_ = std::max(confirmed_lsn_, lsn);
}

void SourceFeedback::on_keepalive(std::uint64_t wal_end, bool reply_requested, bool idle) {
    received(wal_end);
    metrics().server_wal_end = std::max(metrics().server_wal_end, wal_end);
    if (reply_requested) reply_needed_ = true;
    if (!idle) return;
    metrics().on_caught_up(wal_end);
    // Nothing in flight: everything up to the server's position is done (as the apply worker does).
    if (wal_end > confirmed_lsn_) {
        confirmed_lsn_ = wal_end;
        reply_needed_ = true;
    }
}

void SourceFeedback::send_status(bool force) {
    auto now = Clock::now();
    if (!force && now - last_status_ < std::chrono::seconds(config_.status_interval_s)) return;
    source_.send_status(std::max(received_lsn_, confirmed_lsn_), confirmed_lsn_);
    metrics().on_confirmed(confirmed_lsn_);
    last_status_ = now;
    reply_needed_ = false;
}

void SourceFeedback::check_alive() {
    auto silent = Clock::now() - last_receive_;
    auto timeout = std::chrono::seconds(config_.receive_timeout_s);
    if (silent >= timeout) throw PgError("no message from the source for " + std::to_string(config_.receive_timeout_s) + " s", "");
    if (silent >= timeout / 2 && !pinged_) {
        // As the walreceiver does: ask for a keepalive, which a live walsender sends at once.
        source_.send_status(std::max(received_lsn_, confirmed_lsn_), confirmed_lsn_, true);
        pinged_ = true;
    }
}

bool SourceFeedback::next(std::string_view &message) {
    auto next = source_.next(message);
    if (next == ReplicationStream::Next::would_block) return false;
    if (next == ReplicationStream::Next::ended) throw PgError("replication stream ended: " + source_.end_reason(), "");
    on_message(message.size());
    return true;
}

asio::awaitable<void> SourceFeedback::idle_wait() {
    send_status(false);
    check_alive();
    co_await source_.connection().wait_readable(kIdleWait);
    source_.connection().consume_input();
}

}  // namespace pgtrail
