// One connected writer session (`pgtrail write`): pulls the stream's messages of its subjects
// (nats/pull_consumer.h), turns their change lines into COPY rows (nats/change_row.h) and
// writes them into the changes table in batches, each committed with the stream sequence of
// its last message in pgtrail.stream_progress (nats/stream_progress.h): exactly once, whatever
// is killed when.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "nats/change_row.h"
#include "nats/nats_worker.h"
#include "nats/pull_consumer.h"
#include "pg/pg_connection.h"
#include "stream/change_writer.h"
#include "stream/session.h"

namespace pgtrail {

class WriterSession {
public:
    WriterSession(asio::any_io_executor executor, const RunConfig &config, StopState &stop);

    asio::awaitable<void> run();
    bool made_progress() const { return made_progress_; }

private:
    using Clock = std::chrono::steady_clock;

    asio::awaitable<void> connect_and_prepare();
    /// The destination: the changes table at the current schema, this consumer's lock, its place.
    asio::awaitable<void> prepare_destination();
    asio::awaitable<void> consume();
    /// Adds a fetched message's rows to the open batch (skipping what is committed already).
    asio::awaitable<void> write(const InMessage &message);
    bool commit_due(const std::vector<InMessage> &fetched) const;
    asio::awaitable<void> commit();
    void log_stats(bool force);

    asio::any_io_executor executor_;
    const RunConfig &config_;
    StopState &stop_;
    PgConnection dest_;
    NatsWorker worker_;                   ///< before consumer_: outlives it
    std::unique_ptr<PullConsumer> consumer_;
    std::unique_ptr<ChangeWriter> writer_;
    ChangeRows rows_;
    std::string copy_;                    ///< COPY rows not sent yet
    std::string table_name_;

    std::uint64_t committed_seq_ = 0;     ///< stream sequence of the last message committed in the destination
    std::uint64_t batch_seq_ = 0;         ///< of the last message in the open batch
    std::uint64_t batch_commit_lsn_ = 0;
    std::uint64_t batch_messages_ = 0, batch_changes_ = 0;
    std::int64_t pending_ = 0;            ///< what the consumer has not delivered yet
    Clock::time_point batch_started_;

    Clock::time_point last_stats_ = Clock::now();
    std::uint64_t stats_changes_ = 0, stats_messages_ = 0, stats_batches_ = 0;
    bool made_progress_ = false;
};

}  // namespace pgtrail
