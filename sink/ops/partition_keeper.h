// --partition-by and --retention while pgtrail run streams: on its own connection to the
// destination, every --partition-check-interval seconds, creates the partitions of changes
// ahead of need (pgtrail.create_partitions) and drops the expired ones
// (pgtrail.drop_expired_partitions, sql/policies.sql), logging and counting each.
// A row never waits for this: the default partition holds what no partition covers.
#pragma once

#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "config.h"
#include "pg/pg_connection.h"

namespace pgtrail {

class PartitionKeeper {
public:
    PartitionKeeper(asio::io_context &io, const RunConfig &config);
    void start();
    void stop();

private:
    using Clock = std::chrono::steady_clock;
    asio::awaitable<void> loop();
    /// False when the table or the functions are not there yet (the session creates them).
    asio::awaitable<bool> ready();
    asio::awaitable<void> record_policy();
    asio::awaitable<void> create_ahead();
    asio::awaitable<void> drop_expired();

    asio::io_context &io_;
    const RunConfig &config_;
    PgConnection conn_;
    asio::steady_timer timer_;
    std::string table_;              ///< the changes table as a literal regclass expression
    bool connected_ = false;
    bool stopping_ = false;
    bool failing_ = false;
    bool recorded_ = false;          ///< pgtrail.policies holds this run's policy
    bool warned_plain_ = false;
    Clock::time_point next_pass_ = Clock::now();
};

}  // namespace pgtrail
