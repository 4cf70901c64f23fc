// The reader: slot messages -> decoder events -> change lines -> messages acknowledged by the stream.
#include "nats/reader_session.h"

#include <cstdlib>
#include <string_view>

#include <algorithm>

#include "json_escape.h"
#include "log.h"
#include "nats/stream_admin.h"
#include "nats/subjects.h"
#include "ops/metrics.h"
#include "pg/copy_text.h"
#include "pg/wire.h"
#include "stream/server_setup.h"
#include "stream/primary_key.h"
#include "stream/source_format.h"
#include "stream/source_start.h"

namespace pgtrail {

namespace {

/// Off with PGTRAIL_TEST_SKIP_NUMBER_CHECK=1 (tests only, as for run): such numbers then reach a
/// writer's destination, which refuses them (the writer's replay is tested so).
bool number_check_on() {
    static const bool on = [] {
        const char *skip = std::getenv("PGTRAIL_TEST_SKIP_NUMBER_CHECK");
        return skip == nullptr || std::string_view(skip) != "1";
    }();
    return on;
}

constexpr std::size_t kHeaderRoom = 1024;                 // our headers, under the server's max_payload
constexpr std::size_t kPublishBytes = 4 * 1024 * 1024;    // sealed bytes that make a publish due at once
constexpr std::size_t kPublishMessages = 1024;            // at most this many messages in one pipelined publish
constexpr std::chrono::milliseconds kPublishDelay{20};   // sealed messages wait at most this long under load

std::string lsn_text(std::uint64_t lsn) {
    char buf[24];
    return std::string(buf, format_lsn(lsn, buf));
}

/// What to do about a publish the stream refused for being full (discard new); "" for another error.
std::string full_stream_advice(const std::string &error) {
    for (const char *full : {"maximum bytes exceeded", "maximum messages exceeded", "insufficient resources"})
        if (error.find(full) != std::string::npos)
            return ". The stream is full and refuses new messages: nothing is lost (the slot keeps the changes) and the reader "
                   "tries again. Make room: a larger --nats-max-bytes (run --nats sets it on the stream when it starts), or purge "
                   "the messages every writer has written (pgtrail check --nats says up to which sequence)";
    return "";
}

}  // namespace

ReaderSession::ReaderSession(asio::any_io_executor executor, const RunConfig &config, StopState &stop)
    : executor_(executor), config_(config), stop_(stop), source_(executor), feedback_(source_, config), catalog_(executor, config),
      stitcher_(config.context_prefixes, config.max_context_bytes) {}

asio::awaitable<void> ReaderSession::run() {
    stop_.wake = [this] {
        source_.connection().cancel();
        catalog_.cancel();
    };
    try {
        source_.connection().set_interrupt(&stop_.requested);
        co_await connect_and_prepare();
        source_.connection().set_interrupt(nullptr);
        co_await stream();
    } catch (...) {
        stop_.wake = nullptr;
        throw;
    }
    stop_.wake = nullptr;
}

asio::awaitable<void> ReaderSession::connect_and_prepare() {
    try {
        std::vector<std::pair<std::string, std::string>> replication{{"replication", "database"}};
        co_await source_.connection().connect(config_.source, replication);
    } catch (const PgError &error) {
        explain_connect_error(error, source_.connection(), config_.source, true);
    }
    SourceInfo info = co_await prepare_source(source_.connection(), config_);
    database_ = info.database;
    co_await prepare_stream();
    std::string plugin = info.plugin;
    if (!info.slot_exists) plugin = co_await create_missing_slot(info.database);
    json_ = std::make_unique<ChangeJson>(database_);
    // The changes table a writer may keep in the source is never tracked (its schema: public unless named).
    TableName changes = parse_table_name(config_.changes_table);
    SourceFormat format = make_source_format(config_, (changes.schema.empty() ? "public" : changes.schema) + "." + changes.table, plugin);
    decoder_ = std::move(format.decoder);
    co_await source_.connection().query(kDecodingSettings);
    co_await start_source_stream(source_, config_.slot, start_.start_lsn, format);
    feedback_.start(start_.start_lsn);
    log::info("streaming slot " + config_.slot + " of database " + database_ + " from " + lsn_text(start_.start_lsn) +
              " into NATS stream " + config_.nats.stream + " (after sequence " + std::to_string(last_seq_) + ")");
    metrics().on_connected();
}

asio::awaitable<void> ReaderSession::prepare_stream() {
    std::vector<std::string> urls = split_nats_urls(config_.nats.urls);
    std::string name = "pgtrail reader " + config_.slot, stream = config_.nats.stream;
    int replicas = config_.nats.replicas;
    NatsOptions options = config_.nats;
    auto connect = [urls, name] { return std::make_unique<Publisher>(urls, name); };
    publisher_ = co_await worker_.run(connect);
    Publisher *publisher = publisher_.get();
    struct Prepared {
        EnsuredStream ensured;
        StreamTail tail;
        std::int64_t max_payload = 0;
    };
    auto prepare = [publisher, options] {
        Prepared out;
        out.ensured = ensure_stream(publisher->connection(), options);
        if (out.ensured.facts.file_storage) out.tail = stream_tail(publisher->connection(), options.stream, out.ensured.facts.last_seq);
        out.max_payload = publisher->connection().max_payload();
        return out;
    };
    Prepared prepared = co_await worker_.run(prepare);
    const StreamFacts &facts = prepared.ensured.facts;
    if (!facts.file_storage)
        throw FatalError("stream " + stream + " keeps its messages in memory: a server restart loses them, and the slot no longer has "
                         "them. Remove it (nats stream rm " + stream + ") so that pgtrail run --nats creates it with file storage, or give "
                         "another name with --nats-stream");
    if (prepared.ensured.created)
        log::info("created stream " + stream + " (file storage, " + std::to_string(replicas) + " replicas, " + stream_limits_text(facts) + ")");
    else if (facts.replicas != replicas)
        log::warn("stream " + stream + " has " + std::to_string(facts.replicas) + " replicas, not the " + std::to_string(replicas) +
                  " of --nats-replicas (an existing stream keeps its replicas)");
    if (!prepared.ensured.limits_changed.empty())
        log::info("stream " + stream + ": " + prepared.ensured.limits_changed + " (--nats-max-bytes, --nats-max-age)");
    StreamTail tail = prepared.tail;
    std::int64_t max_payload = prepared.max_payload;
    if (max_payload <= static_cast<std::int64_t>(2 * kHeaderRoom)) throw FatalError("the NATS server's max_payload is too small");
    builder_ = MessageBuilder(static_cast<std::size_t>(max_payload) - kHeaderRoom);
    max_payload_ = max_payload;
    last_seq_ = tail.sequence;
    start_ = reader_start(tail);
    if (start_.partial_commit_lsn != 0)
        log::info("the stream ends inside the transaction committed at " + lsn_text(start_.partial_commit_lsn) +
                  " (changes through ordinal " + std::to_string(start_.skip_through) + "): publishing the rest of it");
}

asio::awaitable<std::string> ReaderSession::create_missing_slot(const std::string &database) {
    if (last_seq_ != 0 && !config_.accept_gap)
        throw FatalError("slot " + config_.slot + " does not exist, but stream " + config_.nats.stream + " holds changes up to " +
                         lsn_text(start_.start_lsn) + ": the changes since then are gone with the slot. Point --slot at the right "
                         "slot, or start again with --accept-gap to create it and go on from now, leaving that gap");
    if (last_seq_ != 0) log::warn("slot " + config_.slot + " is missing: creating it; the changes after " + lsn_text(start_.start_lsn) +
                                  " up to now are not in the stream (--accept-gap)");
    CreatedSlot created = co_await create_slot(source_.connection(), config_, database);
    start_ = ReaderStart{};  // the new slot's own position
    co_return created.plugin;
}

asio::awaitable<void> ReaderSession::stream() {
    for (;;) {
        co_await drain();
        if (stop_.requested) break;
        if (!builder_.sealed().empty()) co_await publish();
        log_stats(false);
        if (stop_.requested) break;
        co_await feedback_.idle_wait();
    }
    co_await finish();
}

asio::awaitable<void> ReaderSession::drain() {
    for (;;) {
        if (stop_.requested) co_return;
        std::string_view message;
        if (!feedback_.next(message)) co_return;
        handle_message(message);
        if (auto sql = decoder_->catalog_query()) co_await catalog_.answer(*decoder_, std::move(*sql));
        feedback_.reply_if_asked();
        if (publish_due()) co_await publish();
    }
}

bool ReaderSession::publish_due() const {
    if (builder_.sealed().empty()) return false;
    return builder_.sealed_bytes() >= kPublishBytes || builder_.sealed().size() >= kPublishMessages ||
           Clock::now() - last_publish_ >= kPublishDelay;
}

asio::awaitable<void> ReaderSession::publish() {
    auto &sealed = builder_.sealed();
    while (!sealed.empty()) {
        std::size_t count = std::min(sealed.size(), kPublishMessages);
        Publisher *publisher = publisher_.get();
        std::uint64_t expect = last_seq_;
        auto job = [publisher, &sealed, count, expect] { return publisher->publish(sealed, count, expect); };
        Publisher::Result result = co_await worker_.run(job);
        std::uint64_t bytes = 0;
        for (std::size_t i = 0; i < result.acked; i++) {
            bytes += sealed[i].body.size();
            if (!sealed[i].final) continue;
            feedback_.confirm(sealed[i].end_lsn);
            made_progress_ = true;
        }
        metrics().on_published(result.acked, bytes, result.last_seq);
        stats_messages_ += result.acked;
        last_seq_ = result.last_seq;
        builder_.pop_front(result.acked);
        if (!result.error.empty())
            throw PgError("publishing to NATS stream " + config_.nats.stream + " after sequence " + std::to_string(last_seq_) + ": " +
                          result.error + full_stream_advice(result.error), "");
    }
    last_publish_ = Clock::now();
    feedback_.listened();
    feedback_.send_status(true);
}

void ReaderSession::handle_message(std::string_view message) {
    if (auto data = parse_xlogdata(message)) {
        try {
            metrics().on_received(data->data_start);
            decoder_->decode(data->payload, data->data_start, *this);
        } catch (const DecodeError &error) {
            throw FatalError(error.what());
        } catch (const OversizedChange &error) {
            throw FatalError(error.what());
        }
    } else if (auto keepalive = parse_keepalive(message)) {
        on_keepalive(keepalive->wal_end, keepalive->reply_requested);
    }
}

void ReaderSession::on_begin(const BeginEvent &event) {
    metrics().on_receive_begin(event.commit_lsn);
    if (in_xact_) throw FatalError("malformed stream: a transaction began inside another at " + lsn_text(event.commit_lsn));
    in_xact_ = true;
    xid_ = event.xid;
    skipping_ = event.commit_lsn < start_.start_lsn;  // its end is not beyond the stream's last transaction
    if (skipping_) return;
    resuming_ = start_.partial_commit_lsn != 0 && event.commit_lsn == start_.partial_commit_lsn;
    stitcher_.begin();
    json_->begin(event);
    builder_.begin(event.commit_lsn, resuming_ ? start_.next_chunk : 0);
}

void ReaderSession::on_message(const MessageEvent &event) {
    if (!in_xact_ || skipping_ || !event.transactional) return;
    if (auto warning = stitcher_.on_message(true, event.prefix, event.content))
        log::warn(*warning + " (source transaction " + std::to_string(xid_) + " at " + lsn_text(event.lsn) + ")");
    if (stitcher_.is_context_prefix(event.prefix)) json_->set_context(stitcher_.current());
}

void ReaderSession::on_row_change(const RowChangeEvent &event) {
    if (!in_xact_) throw FatalError("malformed stream: a change outside a transaction at " + lsn_text(event.lsn));
    if (skipping_) return;
    const RowChangeEvent *change = &event;
    if (number_check_on() && text_unholdable_numbers(event, texted_)) {
        log::warn("the change of " + std::string(event.schema) + "." + std::string(event.table) + " at " + lsn_text(event.lsn) +
                  " holds numbers jsonb cannot hold: published as their JSON text, columns listed in lossy");
        change = &texted_.event;
    }
    line_.clear();
    std::uint32_t ordinal = json_->add(line_, *change, format_utc_timestamp(now_unix_micros()));
    try {
        add_line(ordinal, event.schema, event.table);
    } catch (const OversizedChange &) {
        throw FatalError(oversized_change(event));
    }
    metrics().on_change(event.op);
}

void ReaderSession::on_truncate(const TruncateEvent &event) {
    if (!in_xact_) throw FatalError("malformed stream: a truncate outside a transaction at " + lsn_text(event.lsn));
    if (skipping_) return;
    line_.clear();
    std::uint32_t ordinal = json_->add(line_, event, format_utc_timestamp(now_unix_micros()));
    add_line(ordinal, event.schema, event.table);
    metrics().on_change('T');
}

std::string ReaderSession::oversized_change(const RowChangeEvent &event) const {
    std::optional<std::string> key = render_primary_key(key_values_of(event));
    return "the change of " + std::string(event.schema) + "." + std::string(event.table) + " with primary key " + (key ? *key : "(none)") +
           " at " + lsn_text(event.lsn) + " (source transaction " + std::to_string(xid_) + ") is " + std::to_string(line_.size()) +
           " bytes as JSON, more than fits in one NATS message under the servers' max_payload of " +
           std::to_string(max_payload_) + " bytes: set max_payload to at least " + std::to_string(line_.size() + kHeaderRoom) +
           " in every NATS server's configuration (nats-server takes up to 64 MB) and restart them, then the reader; "
           "nothing is lost (the slot keeps the change)";
}

void ReaderSession::add_line(std::uint32_t ordinal, std::string_view schema, std::string_view table) {
    if (resuming_ && ordinal <= start_.skip_through) return;  // in the stream already
    builder_.add(subject_of(schema, table), line_, ordinal);
    stats_changes_++;
}

const std::string &ReaderSession::subject_of(std::string_view schema, std::string_view table) {
    if (subject_.empty() || schema != subject_schema_ || table != subject_table_) {
        subject_schema_.assign(schema);
        subject_table_.assign(table);
        subject_ = change_subject(config_.nats.stream, database_, schema, table);
    }
    return subject_;
}

void ReaderSession::on_commit(const CommitEvent &event) {
    in_xact_ = false;
    feedback_.received(event.end_lsn);
    if (skipping_) {
        skipping_ = false;
        return;
    }
    if (resuming_) {
        resuming_ = false;
        start_.partial_commit_lsn = 0;
    }
    stats_xacts_++;
    bool published = builder_.commit(event.end_lsn, event.commit_time);
    // Nothing to publish: confirmed at once when nothing is waiting for the stream.
    if (!published && builder_.sealed().empty()) feedback_.confirm(event.end_lsn);
}

void ReaderSession::on_keepalive(std::uint64_t wal_end, bool reply_requested) {
    feedback_.on_keepalive(wal_end, reply_requested, !in_xact_ && builder_.sealed().empty());
}

asio::awaitable<void> ReaderSession::finish() {
    // Sealed messages are whole: publish them (a transaction's rest follows from the next session).
    if (!builder_.sealed().empty()) co_await publish();
    feedback_.send_status(true);
    co_await source_.connection().flush();
    log_stats(true);
    log::info("stopped; confirmed " + lsn_text(feedback_.confirmed_lsn()) + ", stream " + config_.nats.stream + " at sequence " + std::to_string(last_seq_));
}

void ReaderSession::log_stats(bool force) {
    long long seconds = stats_window_.due(force, config_.stats_interval_s);
    if (seconds < 0) return;
    if (stats_changes_ > 0 || force)
        log::info("published " + std::to_string(stats_changes_) + " changes of " + std::to_string(stats_xacts_) + " transactions in " +
                  std::to_string(stats_messages_) + " messages in the last " + std::to_string(seconds) + "s; confirmed " +
                  lsn_text(feedback_.confirmed_lsn()));
    stats_changes_ = stats_xacts_ = stats_messages_ = 0;
}

}  // namespace pgtrail
