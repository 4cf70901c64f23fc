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

/// Kept by the run loop across writer sessions: the destination refused a batch for its data,
/// so the sessions that follow write through ChangeWriter's careful mode (change by change,
/// refused values stored in faithful form) until their place passes `until`.
struct RefusedMessages {
    std::uint64_t until = 0;  ///< stream sequence of the refused batch's last message; 0: none
};

class WriterSession {
public:
    WriterSession(asio::any_io_executor executor, const RunConfig &config, StopState &stop, RefusedMessages &refused);

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
    /// Sends copy_ (whole rows) to the open batch.
    asio::awaitable<void> send_copy();
    /// Careful mode while the place is before a refused batch's end.
    void choose_write_mode();
    /// A write failed: when for its data, the next session replays the batch change by change
    /// and a RefusedData saying so (the one log line of the refusal) is thrown.
    void note_write_error(const PgError &error);
    void log_stats(bool force);

    asio::any_io_executor executor_;
    const RunConfig &config_;
    StopState &stop_;
    RefusedMessages &refused_;
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
