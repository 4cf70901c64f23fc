// The writer: stream messages -> COPY rows -> batches committed with the stream sequence.
#include "nats/writer_session.h"

#include <optional>

#include "log.h"
#include "nats/stream_progress.h"
#include "ops/metrics.h"
#include "pg/quote.h"
#include "schema/progress.h"
#include "stream/destination_rules.h"
#include "stream/destination_session.h"
#include "stream/poison_row.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

constexpr int kFetchWaitMs = 500;                        // a pull waits this long for the first message
constexpr std::size_t kSendChunk = 256 * 1024;           // COPY data is sent in pieces of about this size
constexpr std::uint64_t kOversizeFactor = 4;             // a batch this many times --batch-size commits mid-transaction

}  // namespace

WriterSession::WriterSession(asio::any_io_executor executor, const RunConfig &config, StopState &stop, RefusedMessages &refused)
    : executor_(executor), config_(config), stop_(stop), refused_(refused), dest_(executor) {}

asio::awaitable<void> WriterSession::run() {
    stop_.wake = [this] { dest_.cancel(); };
    try {
        dest_.set_interrupt(&stop_.requested);
        co_await connect_and_prepare();
        dest_.set_interrupt(nullptr);
        co_await consume();
    } catch (...) {
        stop_.wake = nullptr;
        throw;
    }
    stop_.wake = nullptr;
}

asio::awaitable<void> WriterSession::connect_and_prepare() {
    std::optional<PgError> failure;  // co_await is not allowed inside a catch block
    try {
        auto params = destination_connect_params(config_.destination, "pgtrail writer " + config_.nats.consumer);
        co_await dest_.connect(config_.destination, params);
    } catch (const PgError &error) {
        failure = error;
    }
    if (failure && connect_failure_is_final(*failure)) throw FatalError(destination_connect_failure(config_.destination, *failure));
    if (failure) throw PgError(destination_connect_failure(config_.destination, *failure), failure->sqlstate);
    co_await prepare_destination();
    std::vector<std::string> urls = split_nats_urls(config_.nats.urls);
    std::string name = "pgtrail writer " + config_.nats.consumer;
    auto connect = [urls, name] { return std::make_unique<PullConsumer>(urls, name); };
    consumer_ = co_await worker_.run(connect);
    PullConsumer *consumer = consumer_.get();
    std::string stream = config_.nats.stream, durable = config_.nats.consumer, filter = config_.nats.filter();
    std::uint64_t after = committed_seq_;
    auto start = [consumer, stream, durable, filter, after] { consumer->start(stream, durable, filter, after); };
    co_await worker_.run(start);
    log::info("writing stream " + stream + " (" + filter + ") after sequence " + std::to_string(after) + " into " + table_name_ + " (" +
              config_.destination.describe() + ") as consumer " + durable);
    metrics().on_connected();
    metrics().on_consumed(0, committed_seq_, 0);
}

asio::awaitable<void> WriterSession::prepare_destination() {
    TableName table = parse_table_name(config_.changes_table);
    co_await prepare_changes_table(dest_, table);
    std::string session_sql = destination_session_sql(false);
    co_await dest_.query(session_sql);
    SqlQuoting quote = sql_quoting(dest_.get());
    std::string lock = stream_lock_name(config_.nats.stream, config_.nats.consumer);
    PgResult locked = co_await dest_.query(progress_lock_sql(lock, quote));
    if (cell(locked, 0, 0) != "t") {
        PgResult holder_row = co_await dest_.query(progress_lock_holder_sql(lock, quote));
        std::string holder = cell(holder_row, 0, 0);
        throw PgError("another pgtrail write of consumer " + config_.nats.consumer + " is writing into this destination (backend " + holder +
                      "); waiting for it to stop", "");
    }
    PgResult seq_row = co_await dest_.query(stream_progress_read_sql(config_.nats.stream, config_.nats.consumer, quote));
    std::string seq = cell(seq_row, 0, 0);
    committed_seq_ = seq.empty() ? 0 : std::stoull(seq);
    writer_ = std::make_unique<ChangeWriter>(dest_, table, ProgressKind::table, lock);
    table_name_ = qualified(table);
    choose_write_mode();
}

void WriterSession::choose_write_mode() {
    if (refused_.until > committed_seq_) {
        writer_->set_careful(true);
        log::info("writing change by change up to stream sequence " + std::to_string(refused_.until) + ", where the destination refused a batch");
    } else {
        refused_.until = 0;
    }
}

asio::awaitable<void> WriterSession::consume() {
    PullConsumer *consumer = consumer_.get();
    int batch = static_cast<int>(config_.nats.fetch_batch);
    while (!stop_.requested) {
        auto pull = [consumer, batch] { return consumer->fetch(batch, kFetchWaitMs); };
        std::vector<InMessage> fetched = co_await worker_.run(pull);
        for (const InMessage &message : fetched) co_await write(message);
        if (batch_messages_ > 0 && (commit_due(fetched) || stop_.requested)) co_await commit();
        log_stats(false);
    }
    if (batch_messages_ > 0) co_await commit();
    log_stats(true);
    log::info("stopped; committed through stream sequence " + std::to_string(committed_seq_));
}

asio::awaitable<void> WriterSession::write(const InMessage &message) {
    pending_ = message.pending;
    if (message.sequence <= std::max(committed_seq_, batch_seq_)) co_return;  // delivered again: written already
    if (batch_messages_ == 0) batch_started_ = Clock::now();
    std::size_t changes = 0;
    try {
        changes = rows_.append(copy_, message.body);
    } catch (const ChangeLineError &error) {
        throw FatalError("stream message " + std::to_string(message.sequence) + " is not pgtrail's change format: " + error.what());
    }
    batch_seq_ = message.sequence;
    batch_commit_lsn_ = message.commit_lsn;
    batch_messages_++;
    batch_changes_ += changes;
    if (copy_.size() >= kSendChunk) co_await send_copy();
}

asio::awaitable<void> WriterSession::send_copy() {
    try {
        co_await writer_->send(copy_);  // whole rows: a message's lines are appended whole
    } catch (const PgError &error) {
        note_write_error(error);
        throw;
    }
    copy_.clear();
}

bool WriterSession::commit_due(const std::vector<InMessage> &fetched) const {
    bool caught_up = fetched.size() < config_.nats.fetch_batch;
    if (caught_up || batch_changes_ >= kOversizeFactor * config_.batch_size) return true;
    bool full = batch_changes_ >= config_.batch_size || Clock::now() - batch_started_ >= std::chrono::milliseconds(config_.batch_time_ms);
    return full && fetched.back().final;  // a destination transaction ends where a source transaction does, when it can
}

asio::awaitable<void> WriterSession::commit() {
    co_await send_copy();
    SqlQuoting quote = sql_quoting(dest_.get());
    std::string progress = stream_progress_record_sql(config_.nats.stream, config_.nats.consumer, batch_seq_, batch_commit_lsn_, quote);
    try {
        co_await writer_->commit_with(progress);
    } catch (const PgError &error) {
        note_write_error(error);
        throw;
    }
    committed_seq_ = batch_seq_;
    if (writer_->careful() && committed_seq_ >= refused_.until) {
        refused_.until = 0;
        writer_->set_careful(false);
        log::info("the refused batch is stored up to stream sequence " + std::to_string(committed_seq_) + "; writing with COPY again");
    }
    metrics().on_consumed(batch_messages_, committed_seq_, pending_);
    stats_changes_ += batch_changes_;
    stats_messages_ += batch_messages_;
    stats_batches_++;
    batch_messages_ = batch_changes_ = 0;
    made_progress_ = true;
    PullConsumer *consumer = consumer_.get();
    auto ack = [consumer] { consumer->ack_fetched(); };
    co_await worker_.run(ack);
}

void WriterSession::note_write_error(const PgError &error) {
    if (!is_data_error(error.sqlstate)) return;
    std::string after = "after stream sequence " + std::to_string(committed_seq_);
    if (writer_->careful())
        throw FatalError("the destination refuses a batch " + after + " even change by change (SQLSTATE " + error.sqlstate +
                         ", at its commit: a trigger or constraint on the changes table?)");
    refused_.until = std::max(batch_seq_, committed_seq_ + 1);
    metrics().refused_batches++;
    // Logged once, by the run loop; the server's message is left out: it may quote a value.
    throw RefusedData("the destination refused the batch " + after + " for its data (" + sqlstate_text(error.sqlstate) +
                          "): writing it again change by change, each value jsonb refuses stored as its text or a placeholder and listed in lossy",
                      error.sqlstate);
}

void WriterSession::log_stats(bool force) {
    auto now = Clock::now();
    if (!force && now - last_stats_ < std::chrono::seconds(config_.stats_interval_s)) return;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - last_stats_).count();
    if (stats_changes_ > 0 || force)
        log::info("wrote " + std::to_string(stats_changes_) + " changes of " + std::to_string(stats_messages_) + " messages in " +
                  std::to_string(stats_batches_) + " batches in the last " + std::to_string(seconds) + "s; at stream sequence " +
                  std::to_string(committed_seq_) + ", " + std::to_string(pending_) + " pending");
    stats_changes_ = stats_messages_ = stats_batches_ = 0;
    last_stats_ = now;
}

}  // namespace pgtrail
