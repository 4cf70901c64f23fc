// One connected reader session (`pgtrail run --nats`): streams the slot, stitches context as
// `run` does, and publishes each source transaction's changes into the JetStream stream
// (nats/message_builder.h, nats/publisher.h). The slot is confirmed up to a transaction's end
// only once the stream acknowledged its last message, and a new session resumes from the
// stream's last message (nats/reader_position.h): nothing is published twice or skipped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config.h"
#include "decode/events.h"
#include "nats/change_json.h"
#include "nats/message_builder.h"
#include "nats/nats_worker.h"
#include "nats/publisher.h"
#include "nats/reader_position.h"
#include "pg/replication_stream.h"
#include "stream/catalog_answers.h"
#include "stream/poison_row.h"
#include "stream/session.h"
#include "stream/source_feedback.h"
#include "stream/stats_window.h"
#include "stream/stitcher.h"

namespace pgtrail {

class ReaderSession : private EventHandler {
public:
    ReaderSession(asio::any_io_executor executor, const RunConfig &config, StopState &stop);

    /// Connects to both sides and streams; returns when stopped, throws on failure.
    asio::awaitable<void> run();
    /// True once the stream acknowledged a transaction (the reconnect backoff starts over).
    bool made_progress() const { return made_progress_; }

private:
    using Clock = std::chrono::steady_clock;

    asio::awaitable<void> connect_and_prepare();
    /// Connects to NATS, creates the stream when missing and reads where this reader stands.
    asio::awaitable<void> prepare_stream();
    /// Creates the missing slot, unless the stream holds changes (a lost slot: a gap) without --accept-gap; returns its plugin.
    asio::awaitable<std::string> create_missing_slot(const std::string &database);
    asio::awaitable<void> stream();
    asio::awaitable<void> drain();
    bool publish_due() const;
    /// Publishes the sealed messages; confirms the transactions whose last message was acknowledged.
    asio::awaitable<void> publish();
    asio::awaitable<void> finish();
    void handle_message(std::string_view message);
    void on_begin(const BeginEvent &event) override;
    void on_row_change(const RowChangeEvent &event) override;
    void on_truncate(const TruncateEvent &event) override;
    void on_message(const MessageEvent &event) override;
    void on_commit(const CommitEvent &event) override;
    /// A change line into the open transaction's messages (unless the stream holds it already).
    void add_line(std::uint32_t ordinal, std::string_view schema, std::string_view table);
    /// The error for a change (in line_) larger than one message: its table, key and LSN, and what to raise.
    std::string oversized_change(const RowChangeEvent &event) const;
    const std::string &subject_of(std::string_view schema, std::string_view table);
    void on_keepalive(std::uint64_t wal_end, bool reply_requested);
    void log_stats(bool force);

    asio::any_io_executor executor_;
    const RunConfig &config_;
    StopState &stop_;
    ReplicationStream source_;
    SourceFeedback feedback_;         ///< received and confirmed positions (confirmed: the end of the last transaction fully in the stream), the source's liveness
    CatalogAnswers catalog_;
    std::unique_ptr<Decoder> decoder_;
    ContextStitcher stitcher_;
    TextedChange texted_;             ///< the last change whose numbers jsonb cannot hold were made text
    NatsWorker worker_;               ///< before publisher_: outlives it
    std::unique_ptr<Publisher> publisher_;
    std::unique_ptr<ChangeJson> json_;
    MessageBuilder builder_{0};
    std::int64_t max_payload_ = 0;    ///< the servers' (NATS takes a message of at most this many bytes)
    std::string line_;
    std::string database_;
    std::string subject_schema_, subject_table_, subject_;  ///< the last subject made, and for which table

    // Positions.
    ReaderStart start_;               ///< from the stream's last message
    std::uint64_t last_seq_ = 0;      ///< the stream's last sequence as this reader knows it

    // The source transaction being read.
    bool in_xact_ = false;
    bool skipping_ = false;           ///< the stream holds it already
    bool resuming_ = false;           ///< the stream holds its changes up to start_.skip_through
    std::uint32_t xid_ = 0;

    // Bookkeeping.
    Clock::time_point last_publish_ = Clock::now();
    StatsWindow stats_window_;
    std::uint64_t stats_changes_ = 0, stats_xacts_ = 0, stats_messages_ = 0;
    bool made_progress_ = false;
};

}  // namespace pgtrail
