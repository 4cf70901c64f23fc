// Destination sessions for the UI.
#include "ui/db_pool.h"

namespace pgtrail::ui {

namespace asio = boost::asio;

DbPool::DbPool(asio::any_io_executor executor, ConnParams destination, ConnParams source, std::string changes_table, std::size_t max_idle)
    : executor_(std::move(executor)), destination_(std::move(destination)), source_(std::move(source)),
      changes_table_(std::move(changes_table)), max_idle_(max_idle) {}

DbPool::Lease::~Lease() {
    if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

void DbPool::give_back(std::unique_ptr<PgConnection> conn) {
    // A session left inside a transaction (an export cut short) or broken is closed, not reused.
    bool healthy = PQstatus(conn->get()) == CONNECTION_OK && PQtransactionStatus(conn->get()) == PQTRANS_IDLE;
    if (healthy && idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

asio::awaitable<std::unique_ptr<PgConnection>> DbPool::open(const ConnParams &params, bool read_only) {
    auto conn = std::make_unique<PgConnection>(executor_);
    std::vector<std::pair<std::string, std::string>> extra{{"application_name", "pgtrail ui"}};
    co_await conn->connect(params, extra);
    std::string settings = std::string("SET standard_conforming_strings = on; SET statement_timeout = '30s'; ") +
                           (read_only ? "SET default_transaction_read_only = on; " : "") +
                           "SELECT set_config('pgtrail.changes_table', " + conn->literal(changes_table_) + ", false)";
    co_await conn->query(settings);
    co_return conn;
}

asio::awaitable<DbPool::Lease> DbPool::reader() {
    if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        co_return Lease(this, std::move(conn));
    }
    auto conn = co_await open(destination_, true);
    co_return Lease(this, std::move(conn));
}

asio::awaitable<std::unique_ptr<PgConnection>> DbPool::writer() {
    co_return co_await open(source_, false);
}

}  // namespace pgtrail::ui
