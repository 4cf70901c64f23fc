// Heartbeats and slot statistics.
#include "ops/source_monitor.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log.h"
#include "ops/metrics.h"
#include "ops/task_end.h"
#include "pg/quote.h"

namespace pgtrail {

namespace {

constexpr std::chrono::seconds kTick{1};

std::int64_t number_at(const PgResult &result, int column, std::int64_t otherwise) {
    std::string text = cell(result, 0, column);
    return text.empty() ? otherwise : std::stoll(text);
}

std::string mib(std::int64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MB"; }

}  // namespace

SourceMonitor::SourceMonitor(asio::io_context &io, const RunConfig &config)
    : io_(io), config_(config), conn_(io.get_executor()), timer_(io) {}

void SourceMonitor::start() {
    conn_.set_interrupt(&stopping_);
    asio::co_spawn(io_, loop(), log_task_end("source monitor stopped: "));
}

void SourceMonitor::stop() {
    stopping_ = true;
    timer_.cancel();
    conn_.cancel();
}

asio::awaitable<void> SourceMonitor::loop() {
    while (!stopping_) {
        bool failed = false;
        std::string why;
        try {
            if (!connected_) {
                std::vector<std::pair<std::string, std::string>> extra;
                extra.emplace_back("application_name", "pgtrail monitor");
                co_await conn_.connect(config_.source, extra);
                connected_ = true;
            }
            if (config_.ops.heartbeat_interval_s > 0 && Clock::now() >= next_heartbeat_) {
                co_await heartbeat();
                next_heartbeat_ = Clock::now() + std::chrono::seconds(config_.ops.heartbeat_interval_s);
            }
            if (Clock::now() >= next_slot_read_) {
                co_await read_slot();
                next_slot_read_ = Clock::now() + std::chrono::seconds(config_.ops.monitor_interval_s);
            }
            if (failing_) log::info("source monitor: connected again");
            failing_ = false;
        } catch (const Interrupted &) {
            co_return;
        } catch (const std::exception &error) {
            failed = true;
            why = error.what();
        }
        if (failed) {
            if (stopping_) co_return;
            metrics().monitor_errors++;
            if (!failing_) log::warn("source monitor (heartbeats, slot statistics): " + why + "; retrying");
            failing_ = true;
            connected_ = false;
            conn_.close();
            // Do not hammer a source that is down: the next attempt at the next slot read.
            next_heartbeat_ = next_slot_read_ = Clock::now() + std::chrono::seconds(std::max(5, config_.ops.monitor_interval_s / 3));
        }
        metrics().note_receiving();
        timer_.expires_after(kTick);
        boost::system::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

asio::awaitable<void> SourceMonitor::heartbeat() {
    // Non-transactional: written at once, even inside nothing; the plugin's message filter drops it,
    // but the WAL it writes lets the slot advance on a database nobody writes to.
    co_await conn_.query("SELECT pg_logical_emit_message(false, '_pgtrail_heartbeat', now()::text)");
    metrics().heartbeats++;
    log::debug("heartbeat emitted");
}

asio::awaitable<void> SourceMonitor::read_slot() {
    PgResult result = co_await conn_.query(
        "SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint, (pg_current_wal_lsn() - restart_lsn)::bigint, "
        "wal_status, safe_wal_size, (pg_current_wal_lsn() - '0/0')::bigint "
        "FROM pg_replication_slots WHERE slot_name = " + conn_.literal(config_.slot));
    Metrics &m = metrics();
    if (!result || PQntuples(result.get()) == 0) {
        m.slot_known = false;
        co_return;
    }
    m.slot_known = true;
    m.lag_bytes = number_at(result, 0, 0);
    m.retained_bytes = number_at(result, 1, 0);
    m.wal_status = cell(result, 0, 2);
    m.safe_wal_bytes = number_at(result, 3, -1);
    m.source_wal_lsn = static_cast<std::uint64_t>(number_at(result, 4, 0));
    bool over = m.retained_bytes > static_cast<std::int64_t>(config_.ops.retained_wal_warn);
    if (over && !m.retained_warning)
        log::warn("slot " + config_.slot + " retains " + mib(m.retained_bytes) + " of WAL on the source (more than " +
                  mib(static_cast<std::int64_t>(config_.ops.retained_wal_warn)) + ", --retained-wal-warn); wal_status " +
                  m.wal_status + (m.safe_wal_bytes >= 0 ? ", " + mib(m.safe_wal_bytes) + " until the slot is lost" : ", no max_slot_wal_keep_size limit: the source's disk is at risk"));
    else if (!over && m.retained_warning)
        log::info("slot " + config_.slot + " retains " + mib(m.retained_bytes) + " of WAL again, under --retained-wal-warn");
    m.retained_warning = over;
    if (m.wal_status == "lost" && !lost_logged_)
        log::error("slot " + config_.slot + " is lost (wal_status lost): the source removed WAL it had not sent, changes are missing; "
                   "drop the slot and re-snapshot (docs/OPERATIONS.md)");
    lost_logged_ = m.wal_status == "lost";
}

}  // namespace pgtrail
