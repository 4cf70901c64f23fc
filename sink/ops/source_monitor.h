// A plain (non-replication) connection to the source that emits heartbeats and reads the
// slot's lag and retained WAL for the metrics and the slot safety warning.
#pragma once

#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "config.h"
#include "pg/pg_connection.h"

namespace pgtrail {

class SourceMonitor {
public:
    SourceMonitor(asio::io_context &io, const RunConfig &config);
    void start();
    void stop();

private:
    using Clock = std::chrono::steady_clock;
    asio::awaitable<void> loop();
    asio::awaitable<void> heartbeat();
    asio::awaitable<void> read_slot();

    asio::io_context &io_;
    const RunConfig &config_;
    PgConnection conn_;
    asio::steady_timer timer_;
    bool connected_ = false;
    bool stopping_ = false;
    bool failing_ = false;           ///< the last attempt failed (log once per streak)
    Clock::time_point next_heartbeat_ = Clock::now();
    Clock::time_point next_slot_read_ = Clock::now();
    bool lost_logged_ = false;
};

}  // namespace pgtrail
