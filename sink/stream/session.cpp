// The streaming loop: slot messages -> decoder events -> COPY rows -> batches committed with the origin.
#include "stream/session.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "decode/page_release.h"
#include "pg/copy_text.h"
#include "pg/quote.h"
#include "json_escape.h"
#include "log.h"
#include "ops/metrics.h"
#include "stream/destination_rules.h"
#include "stream/destination_session.h"
#include "stream/server_setup.h"
#include "pg/wire.h"
#include "stream/poison_row.h"
#include "stream/source_format.h"
#include "stream/source_start.h"

namespace pgtrail {

namespace {

static_assert(kMessagePadding >= kPayloadPadding);
constexpr std::size_t kSendChunk = 256 * 1024;  // COPY data is sent in pieces of about this size

std::string lsn_text(std::uint64_t lsn) {
    char buf[24];
    return std::string(buf, format_lsn(lsn, buf));
}

}  // namespace

Session::Session(asio::any_io_executor executor, const RunConfig &config, StopState &stop, RefusedBatch &refused)
    : executor_(executor), config_(config), stop_(stop), refused_(refused), source_(executor), feedback_(source_, config), dest_(executor), catalog_(executor, config),
      stitcher_(config.context_prefixes, config.max_context_bytes) {
    const char *skip = std::getenv("PGTRAIL_TEST_SKIP_NUMBER_CHECK");
    check_numbers_ = skip == nullptr || std::string_view(skip) != "1";
}

asio::awaitable<void> Session::run() {
    stop_.wake = [this] {
        source_.connection().cancel();
        dest_.cancel();
        catalog_.cancel();
    };
    try {
        // A stop while connecting or preparing (slot creation waits for running transactions) gives up at once.
        source_.connection().set_interrupt(&stop_.requested);
        dest_.set_interrupt(&stop_.requested);
        co_await connect_and_prepare();
        source_.connection().set_interrupt(nullptr);
        dest_.set_interrupt(nullptr);
        co_await stream();
    } catch (...) {
        stop_.wake = nullptr;
        throw;
    }
    stop_.wake = nullptr;
}

asio::awaitable<void> Session::connect_and_prepare() {
    try {
        std::vector<std::pair<std::string, std::string>> replication{{"replication", "database"}};
        co_await source_.connection().connect(config_.source, replication);
    } catch (const PgError &error) {
        explain_connect_error(error, source_.connection(), config_.source, true);
    }
    co_await check_publications();  // before prepare_destination may create the slot
    SourceInfo info = co_await prepare_source(source_.connection(), config_);
    database_ = info.database;
    co_await connect_destination();
    TableName table = parse_table_name(config_.changes_table);
    DestinationProgress progress = co_await prepare_destination(source_.connection(), dest_, config_, info, table);
    plugin_ = info.plugin;
    PgResult same_cluster = co_await dest_.query(same_cluster_query(PQbackendPID(source_.connection().get())));
    bool in_source_cluster = progress.in_source || (same_cluster && std::string(PQgetvalue(same_cluster.get(), 0, 0)) == "t");
    co_await dest_.query(destination_session_sql(in_source_cluster));
    committed_lsn_ = progress.lsn;
    resume_lsn_ = committed_lsn_;
    PgResult used = co_await dest_.query("SELECT coalesce(max(ordinal) + 1, 0) FROM " + quoted(table, sql_quoting(dest_.get())) +
                                         " WHERE commit_lsn = " + std::to_string(committed_lsn_));
    resume_ordinals_ = used && PQntuples(used.get()) == 1 ? std::stoul(PQgetvalue(used.get(), 0, 0)) : 0;
    writer_ = std::make_unique<ChangeWriter>(dest_, table, progress.kind, config_.origin_name());
    encoder_ = std::make_unique<ChangeEncoder>(database_);
    if (refused_.until > committed_lsn_) {
        writer_->set_careful(true);
        encoder_->set_stream_huge_images(false);  // the careful writer takes whole rows
        log::info("writing change by change up to " + lsn_text(refused_.until) + ", where the destination refused a batch");
    } else {
        refused_.until = 0;
    }
    dest_.set_tick_handler([this] { feedback_.send_status(false); });
    RunConfig format_config = config_;
    format_config.destination_is_source = progress.in_source;
    SourceFormat format = make_source_format(format_config, table.schema + "." + table.table, plugin_);
    decoder_ = std::move(format.decoder);
    co_await source_.connection().query(kDecodingSettings);
    co_await start_source_stream(source_, config_.slot, committed_lsn_, format);
    feedback_.start(committed_lsn_);
    log::info("streaming slot " + config_.slot + " of database " + database_ + " from " + lsn_text(committed_lsn_) +
              " into " + table.schema + "." + table.table + (config_.destination_is_source ? "" : " (" + config_.destination.describe() + ")"));
    metrics().on_connected();
}

asio::awaitable<void> Session::connect_destination() {
    std::optional<PgError> failure;  // co_await is not allowed inside a catch block
    try {
        // Named, so a later run can recognise this writer's backend if the connection is lost unclosed.
        co_await dest_.connect(config_.destination, destination_connect_params(config_.destination, writer_application_name(config_)));
    } catch (const PgError &error) {
        failure = error;
    }
    if (failure && connect_failure_is_final(*failure)) throw FatalError(destination_connect_failure(config_.destination, *failure));
    if (failure) throw PgError(destination_connect_failure(config_.destination, *failure), failure->sqlstate);
    check_destination_encoding(source_.connection().get(), dest_.get());
}

asio::awaitable<void> Session::check_publications() {
    if (config_.publication.empty()) co_return;
    PgResult missing = co_await source_.connection().query(
        "SELECT string_agg(name, ', '), current_database() FROM (SELECT btrim(unnest(string_to_array(" + source_.connection().literal(config_.publication) +
        ", ','))) AS name) n WHERE NOT EXISTS (SELECT FROM pg_publication WHERE pubname = n.name)");
    if (!missing || PQgetisnull(missing.get(), 0, 0)) co_return;
    std::string names = PQgetvalue(missing.get(), 0, 0);
    throw FatalError("publication " + names + " does not exist in database " + PQgetvalue(missing.get(), 0, 1) + "; run: CREATE PUBLICATION " +
                     names + " FOR ALL TABLES; (or FOR TABLE ...)");
}

asio::awaitable<void> Session::stream() {
    for (;;) {
        co_await drain();
        if (stop_.requested) break;
        // Nothing more to read now: commit what is complete rather than wait (latency).
        if (!in_xact_ && batch_xacts_ > 0) co_await commit_batch();
        co_await reconnect_if_input_buffer_grew();
        log_stats(false);
        if (stop_.requested) break;
        co_await feedback_.idle_wait();
    }
    co_await finish();
}

asio::awaitable<void> Session::drain() {
    for (;;) {
        if (stop_.requested) co_return;
        std::string_view message;
        if (!feedback_.next(message)) co_return;
        handle_message(message);
        // (a coroutine frame per message only when the decoder asks something)
        if (auto sql = decoder_->catalog_query()) co_await answer_catalog_queries(std::move(*sql));
        feedback_.reply_if_asked();
        // A huge image is sent now: it points into this message.
        if (encoder_->pending() >= kSendChunk || encoder_->holds_views()) co_await send_ready();
        if (!in_xact_ && batch_xacts_ > 0 && batch_due()) co_await commit_batch();
    }
}

void Session::handle_message(std::string_view message) {
    if (auto data = parse_xlogdata(message)) {
        // libpq may keep what ordinary messages grew its input buffer to; a huge one's is given back.
        if (message.size() > std::max(kHugeMessageBytes, huge_message_bytes_)) {
            huge_message_bytes_ = message.size();
            huge_message_lsn_ = data->data_start;
        }
        try {
            metrics().on_received(data->data_start);
            decoder_->decode_padded(data->payload, data->data_start, *this);  // the payload ends the padded message
        } catch (const DecodeError &error) {
            throw FatalError(error.what());  // never the payload: it holds row data
        }
    } else if (auto keepalive = parse_keepalive(message)) {
        on_keepalive(keepalive->wal_end, keepalive->reply_requested);
    }
}

asio::awaitable<void> Session::answer_catalog_queries(std::string first) {
    co_await catalog_.answer(*decoder_, std::move(first));
    feedback_.listened();
}

void Session::on_begin(const BeginEvent &event) {
    metrics().on_receive_begin(event.commit_lsn);
    if (in_xact_) throw FatalError("malformed stream: a transaction began inside another at " + lsn_text(event.commit_lsn));
    in_xact_ = true;
    xid_ = event.xid;
    xact_commit_lsn_ = event.commit_lsn;
    // The commit record's start before the origin's position means its end is not beyond it.
    skipping_ = event.commit_lsn < committed_lsn_;
    if (skipping_) return;
    stitcher_.begin();
    encoder_->begin(event, event.commit_lsn == resume_lsn_ ? resume_ordinals_ : 0);
}

void Session::on_message(const MessageEvent &event) {
    if (!in_xact_ || skipping_ || !event.transactional) return;
    if (auto warning = stitcher_.on_message(true, event.prefix, event.content))
        log::warn(*warning + " (source transaction " + std::to_string(xid_) + " at " + lsn_text(event.lsn) + ")");
    if (stitcher_.is_context_prefix(event.prefix)) encoder_->set_context(stitcher_.current());
}

void Session::on_row_change(const RowChangeEvent &event) {
    if (!in_xact_) throw FatalError("malformed stream: a change outside a transaction at " + lsn_text(event.lsn));
    if (skipping_) return;
    if (batch_changes_ == 0) batch_started_ = Clock::now();
    std::size_t nul_escapes = encoder_->nul_escapes();
    const RowChangeEvent &change = storable(event);
    format_utc_timestamp(now_unix_micros(), queued_at_);
    encoder_->add(change, queued_at_);
    batch_max_change_lsn_ = std::max(batch_max_change_lsn_, event.lsn);
    if (!event.lossy.empty()) note_lossy(event);
    if (!change.lossy.empty()) metrics().pending_lossy_changes++;
    if (encoder_->nul_escapes() != nul_escapes && first_warning(event.lsn))
        log::warn("a json value in " + std::string(event.schema) + "." + std::string(event.table) + " at " +
                  lsn_text(event.lsn) + " holds \\u0000, which jsonb cannot store: written as \\ufffd");
    count_change(event.op);
}

void Session::on_truncate(const TruncateEvent &event) {
    if (!in_xact_) throw FatalError("malformed stream: a truncate outside a transaction at " + lsn_text(event.lsn));
    if (skipping_) return;
    if (batch_changes_ == 0) batch_started_ = Clock::now();
    format_utc_timestamp(now_unix_micros(), queued_at_);
    encoder_->add(event, queued_at_);
    batch_max_change_lsn_ = std::max(batch_max_change_lsn_, event.lsn);
    count_change('T');
}

bool Session::first_warning(std::uint64_t lsn) {
    return refused_.warned.insert({xact_commit_lsn_, lsn}).second;
}

void Session::note_lossy(const RowChangeEvent &event) {
    if (!first_warning(event.lsn)) return;
    std::string columns;
    for (auto name : event.lossy) columns += (columns.empty() ? "" : ", ") + std::string(name);
    log::warn("the change of " + std::string(event.schema) + "." + std::string(event.table) + " at " + lsn_text(event.lsn) +
              " has values the plugin could not render (placeholders), columns listed in lossy: " + columns);
}

const RowChangeEvent &Session::storable(const RowChangeEvent &event) {
    if (!check_numbers_ || !text_unholdable_numbers(event, texted_)) return event;
    metrics().pending_refused_changes++;
    if (!first_warning(event.lsn)) return texted_.event;
    std::string columns;
    for (const auto &name : texted_.texted) columns += (columns.empty() ? "" : ", ") + name;
    log::warn("the change of " + std::string(event.schema) + "." + std::string(event.table) + " at " + lsn_text(event.lsn) +
              " holds numbers jsonb cannot hold (over numeric's 131072 digits before or 16383 after the point): stored as "
              "their JSON text, columns listed in lossy: " + columns);
    return texted_.event;
}

void Session::count_change(char op) {
    batch_changes_++;
    stats_changes_++;
    metrics().on_change(op);
}

void Session::on_commit(const CommitEvent &event) {
    in_xact_ = false;
    feedback_.received(event.end_lsn);
    if (skipping_) {
        skipping_ = false;
        return;
    }
    stats_xacts_++;
    if (encoder_->xact_changes() > 0) {
        batch_xacts_++;
    } else if (batch_xacts_ == 0) {
        feedback_.confirm(event.end_lsn);  // nothing to write
        return;
    }
    batch_last_lsn_ = event.end_lsn;
    batch_last_ts_.assign(event.commit_time);
}

void Session::on_keepalive(std::uint64_t wal_end, bool reply_requested) {
    bool idle = !in_xact_ && batch_xacts_ == 0 && !writer_->open();
    feedback_.on_keepalive(wal_end, reply_requested, idle);
    if (idle && !caught_up_logged_) {
        caught_up_logged_ = true;
        log::info("caught up at " + lsn_text(feedback_.confirmed_lsn()));
    }
}

bool Session::batch_due() const {
    return batch_changes_ >= config_.batch_size ||
           Clock::now() - batch_started_ >= std::chrono::milliseconds(config_.batch_time_ms);
}

asio::awaitable<void> Session::send_ready() {
    std::string_view rows = encoder_->ready();
    if (rows.empty()) co_return;
    try {
        for (; !rows.empty(); rows = encoder_->ready()) {
            co_await writer_->send(rows);
            encoder_->consume_ready();
        }
    } catch (const PgError &error) {
        note_write_error(error);
        throw;
    }
    feedback_.listened();
}

asio::awaitable<void> Session::commit_batch() {
    if (batch_xacts_ == 0) co_return;
    auto batch_begin = Clock::now();
    co_await send_ready();
    try {
        co_await writer_->commit(batch_last_lsn_, batch_last_ts_);
    } catch (const PgError &error) {
        note_write_error(error);
        throw;
    }
    feedback_.listened();
    committed_lsn_ = batch_last_lsn_;
    feedback_.confirm(committed_lsn_);
    metrics().on_batch(std::chrono::duration<double>(Clock::now() - batch_begin).count(), feedback_.confirmed_lsn(), batch_last_ts_);
    log::debug("committed " + std::to_string(batch_changes_) + " changes of " + std::to_string(batch_xacts_) +
               " transactions up to " + lsn_text(committed_lsn_));
    stats_batches_++;
    batch_xacts_ = 0;
    batch_changes_ = 0;
    batch_max_change_lsn_ = 0;
    // Written: a later session never sees these again. Later transactions' warnings stay, since a
    // replay of a refused batch commits in several pieces and meets them again.
    refused_.warned.erase(refused_.warned.begin(), refused_.warned.lower_bound({committed_lsn_, 0}));
    made_progress_ = true;
    if (writer_->careful() && committed_lsn_ >= refused_.until) {
        refused_.until = 0;
        writer_->set_careful(false);
        encoder_->set_stream_huge_images(true);
        log::info("the refused batch is stored up to " + lsn_text(committed_lsn_) + "; writing with COPY again");
    }
    feedback_.send_status(true);
    log_stats(false);
}

void Session::note_write_error(const PgError &error) {
    if (!is_data_error(error.sqlstate)) return;
    if (writer_->careful())
        throw FatalError("the destination refuses a batch after " + lsn_text(committed_lsn_) + " even change by change (SQLSTATE " +
                         error.sqlstate + ", at its commit: a trigger or constraint on the changes table?)");
    refused_.until = std::max({batch_last_lsn_, batch_max_change_lsn_, committed_lsn_ + 1});
    metrics().refused_batches++;
    // Logged once, by the run loop; the server's message is left out: it may quote a value.
    throw RefusedData("the destination refused the batch after " + lsn_text(committed_lsn_) + " for its data (" +
                          sqlstate_text(error.sqlstate) +
                          "): writing it again change by change, each value jsonb refuses stored as its text or a placeholder and listed in lossy",
                      error.sqlstate);
}

asio::awaitable<void> Session::finish() {
    // Rows of a half-read transaction may already be in the COPY: roll the batch back.
    if (in_xact_ && !skipping_ && encoder_->xact_changes() > 0) {
        log::info("stopping: rolling back the open batch (a source transaction was half read)");
        dest_.close();
    } else if (batch_xacts_ > 0) {
        log::info("stopping: committing the open batch");
        co_await commit_batch();
    }
    feedback_.send_status(true);
    co_await source_.connection().flush();
    log_stats(true);
    log::info("stopped; confirmed " + lsn_text(feedback_.confirmed_lsn()));
}

asio::awaitable<void> Session::reconnect_if_input_buffer_grew() {
    // Confirmed past the message: its transaction is written (or had nothing to write) and not sent again.
    std::uint64_t confirmed = feedback_.confirmed_lsn();
    if (huge_message_bytes_ == 0 || in_xact_ || batch_xacts_ > 0 || confirmed <= huge_message_lsn_) co_return;
    feedback_.send_status(true);
    co_await source_.connection().flush();
    throw ReconnectNow("a " + std::to_string(huge_message_bytes_ >> 20) + " MB message grew the replication connection's buffer; "
                       "reconnecting to give that memory back (confirmed " + lsn_text(confirmed) + ")");
}

void Session::log_stats(bool force) {
    long long seconds = stats_window_.due(force, config_.stats_interval_s);
    if (seconds < 0) return;
    if (stats_changes_ > 0 || force)
        log::info("wrote " + std::to_string(stats_changes_) + " changes of " + std::to_string(stats_xacts_) +
                  " transactions in " + std::to_string(stats_batches_) + " batches in the last " + std::to_string(seconds) +
                  "s; confirmed " + lsn_text(feedback_.confirmed_lsn()));
    stats_changes_ = stats_xacts_ = stats_batches_ = 0;
}

}  // namespace pgtrail
