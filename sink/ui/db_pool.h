// The UI's connections: read-only sessions to the destination (default_transaction_read_only,
// a statement timeout, pgtrail.changes_table set) kept idle for the next request, and a
// separate writable session to the source for an allowed revert.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "config.h"
#include "pg/pg_connection.h"

namespace pgtrail::ui {

class DbPool {
public:
    /// changes_table: the qualified name, set as pgtrail.changes_table in each session; reverts
    /// write through source (the destination's parameters when it is the source).
    DbPool(boost::asio::any_io_executor executor, ConnParams destination, ConnParams source, std::string changes_table,
           std::size_t max_idle = 8);

    /// A connection lent for one request; returned to the pool when idle and healthy.
    class Lease {
    public:
        Lease(DbPool *pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease &&) = default;
        ~Lease();
        PgConnection &operator*() const { return *conn_; }
        PgConnection *operator->() const { return conn_.get(); }

    private:
        DbPool *pool_;
        std::unique_ptr<PgConnection> conn_;
    };

    /// A read-only session (idle one or a new one); throws PgError when the destination is unreachable.
    boost::asio::awaitable<Lease> reader();
    /// A new writable session to the source (never pooled): only for executing a revert.
    boost::asio::awaitable<std::unique_ptr<PgConnection>> writer();

private:
    boost::asio::awaitable<std::unique_ptr<PgConnection>> open(const ConnParams &conn, bool read_only);
    void give_back(std::unique_ptr<PgConnection> conn);

    boost::asio::any_io_executor executor_;
    ConnParams destination_;
    ConnParams source_;
    std::string changes_table_;
    std::size_t max_idle_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
};

}  // namespace pgtrail::ui
