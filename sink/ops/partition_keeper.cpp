// Partitions ahead and retention.
#include "ops/partition_keeper.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log.h"
#include "ops/metrics.h"
#include "ops/task_end.h"
#include "pg/quote.h"
#include "schema/schema.h"

namespace pgtrail {

namespace {

constexpr std::chrono::seconds kNotReadyRetry{2};

}  // namespace

PartitionKeeper::PartitionKeeper(asio::io_context &io, const RunConfig &config)
    : io_(io), config_(config), conn_(io.get_executor()), timer_(io) {}

void PartitionKeeper::start() {
    conn_.set_interrupt(&stopping_);
    asio::co_spawn(io_, loop(), log_task_end("partition keeper stopped: "));
}

void PartitionKeeper::stop() {
    stopping_ = true;
    timer_.cancel();
    conn_.cancel();
}

asio::awaitable<void> PartitionKeeper::loop() {
    while (!stopping_) {
        if (Clock::now() >= next_pass_) {
            bool failed = false;
            std::string why;
            try {
                if (!connected_) {
                    std::vector<std::pair<std::string, std::string>> extra;
                    extra.emplace_back("application_name", "pgtrail partitions " + config_.slot);
                    co_await conn_.connect(config_.destination, extra);
                    // DDL waits for the writer's open batch; never long behind a reader's lock (retried next pass).
                    co_await conn_.query("SET lock_timeout = '10s'");
                    table_ = conn_.literal(quoted(parse_table_name(config_.changes_table), sql_quoting(conn_.get()))) + "::regclass";
                    connected_ = true;
                }
                if (co_await ready()) {
                    if (!recorded_) co_await record_policy();
                    co_await create_ahead();
                    if (!config_.retention_interval.empty()) co_await drop_expired();
                    next_pass_ = Clock::now() + std::chrono::seconds(config_.partition_check_interval_s);
                } else {
                    next_pass_ = Clock::now() + kNotReadyRetry;
                }
                if (failing_) log::info("partition maintenance works again");
                failing_ = false;
            } catch (const Interrupted &) {
                co_return;
            } catch (const std::exception &error) {
                failed = true;
                why = error.what();
            }
            if (failed) {
                if (stopping_) co_return;
                metrics().partition_errors++;
                if (!failing_) log::warn("partition maintenance (--partition-by, --retention): " + why + "; retrying");
                failing_ = true;
                connected_ = false;
                conn_.close();
                next_pass_ = Clock::now() + std::chrono::seconds(std::min(60, config_.partition_check_interval_s));
            }
        }
        timer_.expires_after(std::chrono::seconds(1));
        boost::system::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

asio::awaitable<bool> PartitionKeeper::ready() {
    PgResult state = co_await conn_.query(
        "SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass(" + conn_.literal(quoted(parse_table_name(config_.changes_table), sql_quoting(conn_.get()))) +
        ")), to_regprocedure('pgtrail.drop_expired_partitions(regclass,interval)') IS NOT NULL, to_regclass('pgtrail.policies') IS NOT NULL");
    std::string kind = cell(state, 0, 0);
    if (kind.empty() || cell(state, 0, 1) != "t" || cell(state, 0, 2) != "t") co_return false;
    if (kind != "p") {
        if (!warned_plain_) log::warn("the changes table " + config_.changes_table + " is not partitioned: no partitions to keep");
        warned_plain_ = true;
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> PartitionKeeper::record_policy() {
    std::string retention = config_.retention_interval.empty() ? "NULL" : conn_.literal(config_.retention_interval) + "::interval";
    co_await conn_.query(
        "INSERT INTO pgtrail.policies AS p (changes_table, partition_by, retention) "
        "SELECT format('%I.%I', n.nspname, c.relname), " + conn_.literal(config_.partition_by) + ", " + retention +
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " + table_ +
        " ON CONFLICT (changes_table) DO UPDATE SET partition_by = excluded.partition_by, retention = excluded.retention, updated_at = now()");
    recorded_ = true;
}

asio::awaitable<void> PartitionKeeper::create_ahead() {
    PgResult created = co_await conn_.query("SELECT * FROM pgtrail.create_partitions(" + table_ + ", " + conn_.literal(config_.partition_by) +
                                            ", " + std::to_string(config_.partitions_ahead) + ")");
    for (int i = 0; created && i < PQntuples(created.get()); i++) {
        metrics().partitions_created++;
        log::info("created partition " + cell(created, i, 0) + " of " + config_.changes_table);
    }
}

asio::awaitable<void> PartitionKeeper::drop_expired() {
    PgResult gone = co_await conn_.query("SELECT dropped, upper_bound, rows_gone, NOT whole FROM pgtrail.drop_expired_partitions(" +
                                         table_ + ", " + conn_.literal(config_.retention_interval) + "::interval)");
    for (int i = 0; gone && i < PQntuples(gone.get()); i++) {
        std::string rows = cell(gone, i, 2);
        if (cell(gone, i, 3) == "t") {
            metrics().retention_deleted_rows += std::stoull(rows);
            log::info("retention " + config_.retention + ": deleted " + rows + " rows committed before " + cell(gone, i, 1) + " from " +
                      cell(gone, i, 0));
        } else {
            metrics().partitions_dropped++;
            log::info("retention " + config_.retention + ": dropped partition " + cell(gone, i, 0) + " (changes committed before " +
                      cell(gone, i, 1) + ", about " + rows + " rows)");
        }
    }
}

}  // namespace pgtrail
