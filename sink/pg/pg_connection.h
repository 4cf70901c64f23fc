// One libpq connection in non-blocking mode, its socket waited on through Boost.Asio.
// libpq does all the I/O; Asio only says when the socket is ready.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <libpq-fe.h>

#include "config.h"

namespace pgtrail {

namespace asio = boost::asio;

struct ResultDeleter {
    void operator()(PGresult *r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
    void operator()(PGconn *c) const noexcept { PQfinish(c); }
};

struct CopyBufferDeleter {
    void operator()(char *p) const noexcept { PQfreemem(p); }
};
using CopyBuffer = std::unique_ptr<char, CopyBufferDeleter>;

/// The keyword arrays of PQconnectdbParams / PQconnectStartParams: conn's parameters, then extra
/// ones, then what every pgtrail connection uses (client_encoding UTF8, whatever PGCLIENTENCODING
/// or the connection string says, since the sink reads and writes UTF-8; fallback_application_name).
/// The pointers point into conn, extra and static strings: keep those alive while they are used.
struct LibpqKeywords {
    std::vector<const char *> keys, values;
};
LibpqKeywords libpq_keywords(const ConnParams &conn, const std::vector<std::pair<std::string, std::string>> &extra);

/// libpq's message text without its trailing newline ("" for NULL).
std::string libpq_message(const char *message);
/// A notice processor: server notices (e.g. "relation already exists, skipping") go to the debug log, not stderr.
void log_server_notice(void *, const char *message);
/// Value of a result cell ("" when absent or NULL).
std::string cell(const PgResult &result, int row, int column);

/// A server error (with its SQLSTATE) or a lost connection.
struct PgError : std::runtime_error {
    PgError(const std::string &message, std::string sqlstate_, std::string hint_ = {})
        : std::runtime_error(message), sqlstate(std::move(sqlstate_)), hint(std::move(hint_)) {}
    std::string sqlstate;  ///< empty when the connection itself failed
    std::string hint;
};

/// A wait given up because the flag set with PgConnection::set_interrupt became true.
struct Interrupted : std::runtime_error {
    Interrupted() : std::runtime_error("interrupted") {}
};

class PgConnection {
public:
    /// Called every tick while this connection waits (the session sends status updates from it).
    using TickHandler = std::function<void()>;
    static constexpr std::chrono::milliseconds kTick{1000};

    explicit PgConnection(asio::any_io_executor executor);
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    /// Connects with the given parameters plus extra ones (e.g. replication=database).
    asio::awaitable<void> connect(const ConnParams &conn,
                                  const std::vector<std::pair<std::string, std::string>> &extra);
    /// Runs a simple query (one or more statements); returns the last result, or the COPY
    /// result when the query starts a COPY. Throws PgError on failure.
    asio::awaitable<PgResult> query(std::string_view sql);
    /// Runs one statement with text parameters $1, $2, ... (never spliced into the SQL).
    asio::awaitable<PgResult> query_params(std::string_view sql, const std::vector<std::string> &params);
    /// Queues COPY data and flushes it (waiting while the socket is full).
    asio::awaitable<void> put_copy_data(std::string_view data);
    /// Ends a COPY FROM STDIN and returns its result.
    asio::awaitable<PgResult> put_copy_end();
    /// Sends everything libpq has buffered.
    asio::awaitable<void> flush();
    /// Waits until the socket is readable; false on timeout or cancel().
    asio::awaitable<bool> wait_readable(std::chrono::milliseconds timeout);
    /// Reads what the server sent; throws PgError when the connection is lost.
    void consume_input();
    /// Interrupts a wait in progress.
    void cancel() noexcept;
    /// Closes the connection (also done by the destructor).
    void close() noexcept;

    /// 'value' and "name" quoted by libpq for this connection (pg/quote.h).
    std::string literal(std::string_view value) const;
    std::string ident(std::string_view name) const;

    PGconn *get() const { return conn_.get(); }
    void set_tick_handler(TickHandler handler) { on_tick_ = std::move(handler); }
    /// While flag is set and *flag is true, waits throw Interrupted (nullptr: never).
    void set_interrupt(const bool *flag) { interrupt_ = flag; }
    /// The user name libpq connects (or tried to connect) as.
    std::string user() const;
    /// The last error message libpq has, trimmed.
    std::string error_message() const;

private:
    asio::awaitable<bool> wait(asio::posix::descriptor_base::wait_type type, std::chrono::milliseconds timeout);
    asio::awaitable<PgResult> collect_results();
    void on_idle();
    void track_socket();
    PgError result_error(const PGresult *result) const;
    /// Throws the error that ended a COPY the server refused mid-way (its result's, with the SQLSTATE).
    asio::awaitable<void> throw_copy_refusal();

    asio::any_io_executor executor_;
    std::unique_ptr<PGconn, ConnDeleter> conn_;
    asio::posix::stream_descriptor socket_;
    int socket_fd_ = -1;
    TickHandler on_tick_;
    const bool *interrupt_ = nullptr;
};

}  // namespace pgtrail
