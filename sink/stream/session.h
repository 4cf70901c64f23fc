// One connected session: streams the slot into the changes table until stopped or
// until a connection fails (the caller reconnects and a new session resumes from the origin).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "stream/change_encoder.h"
#include "stream/change_writer.h"
#include "stream/poison_row.h"
#include "config.h"
#include "stream/catalog_answers.h"
#include "decode/events.h"
#include "pg/replication_stream.h"
#include "stream/source_feedback.h"
#include "stream/stats_window.h"
#include "stream/stitcher.h"

namespace pgtrail {

/// Shared between the signal handler and the session.
struct StopState {
    bool requested = false;
    std::function<void()> wake;  ///< interrupts the session's wait
};

/// Kept by the run loop across sessions: the destination refused a batch for its data, so the
/// sessions that follow write change by change (ChangeWriter's careful mode) until their
/// progress passes `until`.
struct RefusedBatch {
    std::uint64_t until = 0;  ///< 0: none
    /// Changes (commit_lsn, lsn) whose warning (lossy, numbers made text, \u0000) is logged, not
    /// yet committed: the session that writes them again after a failed one does not log it again.
    /// Ordered by commit LSN, so a commit forgets exactly the transactions it wrote.
    std::set<std::pair<std::uint64_t, std::uint64_t>> warned;
};

/// A write the destination refused for its data; the message names no value (the server's may).
struct RefusedData : PgError {
    using PgError::PgError;
};

/// The session ends on purpose and the next one starts at once (not a failure: no backoff).
struct ReconnectNow : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Session : private EventHandler {
public:
    Session(asio::any_io_executor executor, const RunConfig &config, StopState &stop, RefusedBatch &refused);

    /// Connects, prepares both sides and streams. Returns when stopped; throws on failure.
    asio::awaitable<void> run();
    /// True once a batch committed (the reconnect backoff starts over).
    bool made_progress() const { return made_progress_; }

private:
    using Clock = std::chrono::steady_clock;

    asio::awaitable<void> connect_and_prepare();
    /// The writer connection (stream/destination_session.h), refusing an encoding that cannot hold the source's text.
    asio::awaitable<void> connect_destination();
    /// --publication names that do not exist in the source are a FatalError (the plugin would fail later).
    asio::awaitable<void> check_publications();
    asio::awaitable<void> stream();
    asio::awaitable<void> drain();
    void handle_message(std::string_view message);
    /// Runs the decoder's catalog queries, first and those it asks next, on a plain connection to
    /// the source (opened when first needed).
    asio::awaitable<void> answer_catalog_queries(std::string first);
    // The decoder's events.
    void on_begin(const BeginEvent &event) override;
    void on_row_change(const RowChangeEvent &event) override;
    void on_truncate(const TruncateEvent &event) override;
    void on_message(const MessageEvent &event) override;
    void on_commit(const CommitEvent &event) override;
    /// The change to encode: event, or texted_ when it holds numbers jsonb cannot hold.
    const RowChangeEvent &storable(const RowChangeEvent &event);
    /// Logs and counts a change the plugin flagged lossy.
    void note_lossy(const RowChangeEvent &event);
    /// True the first time a warning about this change of the open transaction is to be logged.
    bool first_warning(std::uint64_t lsn);
    /// Counts a change encoded into the open batch.
    void count_change(char op);
    void on_keepalive(std::uint64_t wal_end, bool reply_requested);
    bool batch_due() const;
    asio::awaitable<void> send_ready();
    asio::awaitable<void> commit_batch();
    /// A write failed: when for its data, the next session replays the batch change by change, and
    /// a RefusedData saying so (the one log line of the refusal) is thrown.
    void note_write_error(const PgError &error);
    asio::awaitable<void> finish();
    /// Ends the session once a huge message that grew libpq's input buffer (which libpq never
    /// shrinks) is confirmed, so the next session starts after it: a new connection gives the memory back.
    asio::awaitable<void> reconnect_if_input_buffer_grew();
    void log_stats(bool force);

    asio::any_io_executor executor_;
    const RunConfig &config_;
    StopState &stop_;
    RefusedBatch &refused_;
    ReplicationStream source_;
    SourceFeedback feedback_;           ///< received and confirmed positions, status updates, the source's liveness
    PgConnection dest_;
    CatalogAnswers catalog_;            ///< the decoder's catalog queries, on a plain connection to the source
    std::unique_ptr<ChangeWriter> writer_;
    std::unique_ptr<ChangeEncoder> encoder_;
    std::unique_ptr<Decoder> decoder_;
    ContextStitcher stitcher_;
    TextedChange texted_;               ///< the last change whose numbers jsonb cannot hold were made text
    bool check_numbers_ = true;         ///< PGTRAIL_TEST_SKIP_NUMBER_CHECK=1 leaves them to the refused-batch replay (tests)
    std::string database_;
    std::string plugin_;                ///< the slot's output plugin

    // Positions (LSNs).
    std::uint64_t committed_lsn_ = 0;   ///< end of the last source commit durably in the destination
    /// Rows already in the table under commit_lsn = the origin's position at start (a baseline
    /// snapshot's, or commit end LSNs written by earlier versions): a transaction whose commit
    /// record starts there numbers its ordinals after them.
    std::uint32_t resume_ordinals_ = 0;
    std::uint64_t resume_lsn_ = 0;

    // The source transaction being read.
    bool in_xact_ = false;
    std::uint32_t xid_ = 0;
    std::uint64_t xact_commit_lsn_ = 0;
    bool skipping_ = false;             ///< already in the destination: its end LSN is not beyond the origin

    // The open batch.
    std::uint64_t batch_xacts_ = 0;     ///< source transactions with rows in it
    std::uint64_t batch_changes_ = 0;
    std::uint64_t batch_last_lsn_ = 0;
    std::uint64_t batch_max_change_lsn_ = 0;  ///< the last change's LSN in the batch (a refused batch ends after it)
    std::string batch_last_ts_;
    std::string queued_at_;             ///< the current change's queued_at (kept for its memory)
    Clock::time_point batch_started_;

    // Bookkeeping.
    StatsWindow stats_window_;
    std::uint64_t stats_changes_ = 0, stats_xacts_ = 0, stats_batches_ = 0;
    bool caught_up_logged_ = false;
    bool made_progress_ = false;
    // The largest message since a huge one grew libpq's input buffer (0: none), and its position.
    std::size_t huge_message_bytes_ = 0;
    std::uint64_t huge_message_lsn_ = 0;
};

}  // namespace pgtrail
