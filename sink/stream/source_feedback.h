// What a streaming session tells its source, and whether the source is still there: the received
// and confirmed positions in standby status updates (every --status-interval, or at once when
// asked), a keepalive asked for after half of --receive-timeout in silence, and a failure after
// all of it; the messages read and the idle waits go through it, so the silence is measured.
// Held by the direct session (stream/session.h) and the NATS reader (nats/reader_session.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.h"
#include "pg/replication_stream.h"

namespace pgtrail {

class SourceFeedback {
public:
    SourceFeedback(ReplicationStream &source, const RunConfig &config) : source_(source), config_(config) {}

    /// Streaming starts at lsn: both positions there, the silence counted from now.
    void start(std::uint64_t lsn);
    /// The session did not listen to the source until now (it waited on its destination): that was no silence.
    void listened();
    /// A source transaction (or a keepalive) ended at lsn.
    void received(std::uint64_t lsn);
    /// Everything up to lsn is done with: the slot may let it go.
    void confirm(std::uint64_t lsn);
    /// A keepalive; idle: nothing read is waiting to be written, so all up to wal_end is confirmed.
    void on_keepalive(std::uint64_t wal_end, bool reply_requested, bool idle);
    /// Sends the positions when forced, asked for, or due.
    void send_status(bool force);
    /// Sends them only when the source asked (or the interval is due).
    void reply_if_asked() { send_status(reply_needed_); }
    /// Throws after --receive-timeout without a message; asks for a keepalive at half of it.
    void check_alive();
    /// The next message already received (counted), false when there is none yet; throws when the stream ended.
    bool next(std::string_view &message);
    /// Nothing to read: the status when due, the liveness check, then a wait of at most a second for the source.
    asio::awaitable<void> idle_wait();

    std::uint64_t confirmed_lsn() const { return confirmed_lsn_; }

private:
    using Clock = std::chrono::steady_clock;

    /// A message of this many bytes arrived from the source.
    void on_message(std::size_t bytes);

    ReplicationStream &source_;
    const RunConfig &config_;
    std::uint64_t received_lsn_ = 0;   ///< last source commit end or keepalive position seen
    std::uint64_t confirmed_lsn_ = 0;  ///< what we confirm as flushed
    bool reply_needed_ = false;
    Clock::time_point last_status_ = Clock::now();
    Clock::time_point last_receive_ = Clock::now();  ///< last message from the source (or end of a destination wait)
    bool pinged_ = false;                            ///< asked the source for a keepalive since last_receive_
};

}  // namespace pgtrail
