// libpq + Asio.
#include "pg/pg_connection.h"

#include "log.h"
#include "pg/quote.h"

#include <optional>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgtrail {

namespace {

constexpr std::chrono::seconds kConnectTimeout{30};

}  // namespace

std::string libpq_message(const char *message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

void log_server_notice(void *, const char *message) { log::debug(libpq_message(message)); }

std::string cell(const PgResult &result, int row, int column) {
    if (!result || PQntuples(result.get()) <= row || PQnfields(result.get()) <= column ||
        PQgetisnull(result.get(), row, column))
        return "";
    return PQgetvalue(result.get(), row, column);
}

LibpqKeywords libpq_keywords(const ConnParams &conn, const std::vector<std::pair<std::string, std::string>> &extra) {
    LibpqKeywords out;
    for (const auto *list : {&conn.params, &extra})
        for (const auto &[key, value] : *list) {
            out.keys.push_back(key.c_str());
            out.values.push_back(value.c_str());
        }
    // Last, so it wins over the connection string (libpq takes the last value of a keyword).
    out.keys.insert(out.keys.end(), {"client_encoding", "fallback_application_name", nullptr});
    out.values.insert(out.values.end(), {"UTF8", "pgtrail", nullptr});
    return out;
}

PgConnection::PgConnection(asio::any_io_executor executor) : executor_(executor), socket_(executor) {}

PgConnection::~PgConnection() { close(); }

void PgConnection::close() noexcept {
    // The descriptor must not close libpq's socket: release it before PQfinish.
    if (socket_.is_open()) socket_.release();
    socket_fd_ = -1;
    conn_.reset();
}

void PgConnection::cancel() noexcept {
    boost::system::error_code ignored;
    if (socket_.is_open()) socket_.cancel(ignored);
}

std::string PgConnection::user() const {
    const char *name = conn_ ? PQuser(conn_.get()) : nullptr;
    return name && *name ? name : "<user>";
}

std::string PgConnection::literal(std::string_view value) const { return quote_literal(conn_.get(), value); }

std::string PgConnection::ident(std::string_view name) const { return quote_identifier(conn_.get(), name); }

std::string PgConnection::error_message() const {
    return conn_ ? libpq_message(PQerrorMessage(conn_.get())) : "no connection";
}

void PgConnection::track_socket() {
    int fd = PQsocket(conn_.get());
    if (fd == socket_fd_) return;
    if (socket_.is_open()) socket_.release();
    socket_fd_ = fd;
    if (fd >= 0) socket_.assign(fd);
}

asio::awaitable<bool> PgConnection::wait(asio::posix::descriptor_base::wait_type type,
                                         std::chrono::milliseconds timeout) {
    asio::steady_timer timer(executor_);
    timer.expires_after(timeout);
    timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) cancel();
    });
    boost::system::error_code ec;
    co_await socket_.async_wait(type, asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
    co_return !ec;
}

asio::awaitable<bool> PgConnection::wait_readable(std::chrono::milliseconds timeout) {
    co_return co_await wait(asio::posix::descriptor_base::wait_read, timeout);
}

asio::awaitable<void> PgConnection::connect(const ConnParams &conn,
                                            const std::vector<std::pair<std::string, std::string>> &extra) {
    close();
    LibpqKeywords keywords = libpq_keywords(conn, extra);
    conn_.reset(PQconnectStartParams(keywords.keys.data(), keywords.values.data(), 1));
    if (!conn_ || PQstatus(conn_.get()) == CONNECTION_BAD) throw PgError(error_message(), "");
    auto deadline = std::chrono::steady_clock::now() + kConnectTimeout;
    PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
    while (poll != PGRES_POLLING_OK) {
        if (poll == PGRES_POLLING_FAILED) throw PgError(error_message(), "");
        if (std::chrono::steady_clock::now() > deadline) throw PgError("timeout connecting to the server", "");
        track_socket();
        if (!co_await wait(poll == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                         : asio::posix::descriptor_base::wait_write,
                           kTick))
            on_idle();
        poll = PQconnectPoll(conn_.get());
    }
    track_socket();
    PQsetNoticeProcessor(conn_.get(), log_server_notice, nullptr);
    if (PQsetnonblocking(conn_.get(), 1) != 0) throw PgError(error_message(), "");
}

void PgConnection::on_idle() {
    if (interrupt_ && *interrupt_) throw Interrupted();
    if (on_tick_) on_tick_();
}

void PgConnection::consume_input() {
    if (!PQconsumeInput(conn_.get())) throw PgError(error_message(), "");
}

asio::awaitable<void> PgConnection::flush() {
    for (;;) {
        int rc = PQflush(conn_.get());
        if (rc == 0) co_return;
        if (rc < 0) throw PgError(error_message(), "");
        if (!co_await wait(asio::posix::descriptor_base::wait_write, kTick)) on_idle();
        consume_input();
    }
}

PgError PgConnection::result_error(const PGresult *result) const {
    const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    const char *hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
    std::string message = primary ? primary : libpq_message(PQresultErrorMessage(result));
    if (message.empty()) message = error_message();
    return PgError(message, state ? state : "", hint ? hint : "");
}

asio::awaitable<PgResult> PgConnection::collect_results() {
    PgResult last;
    std::optional<PgError> error;
    for (;;) {
        while (PQisBusy(conn_.get())) {
            if (!co_await wait_readable(kTick)) on_idle();
            consume_input();
        }
        PgResult result(PQgetResult(conn_.get()));
        if (!result) break;
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_COPY_IN || status == PGRES_COPY_BOTH || status == PGRES_COPY_OUT) {
            if (error) throw *error;
            co_return result;
        }
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
            if (!error) error = result_error(result.get());
            continue;
        }
        last = std::move(result);
    }
    if (error) throw *error;
    if (PQstatus(conn_.get()) == CONNECTION_BAD) throw PgError(error_message(), "");
    co_return last;
}

asio::awaitable<PgResult> PgConnection::query(std::string_view sql) {
    std::string text(sql);
    if (!PQsendQuery(conn_.get(), text.c_str())) throw PgError(error_message(), "");
    co_await flush();
    co_return co_await collect_results();
}

asio::awaitable<PgResult> PgConnection::query_params(std::string_view sql, const std::vector<std::string> &params) {
    std::string text(sql);
    std::vector<const char *> values;
    for (const auto &p : params) values.push_back(p.c_str());
    if (!PQsendQueryParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0))
        throw PgError(error_message(), "");
    co_await flush();
    co_return co_await collect_results();
}

asio::awaitable<void> PgConnection::put_copy_data(std::string_view data) {
    // In pieces: libpq copies each call into its output buffer, which grows to the largest
    // piece and never shrinks (one huge row would otherwise stay resident for good).
    constexpr std::size_t kPiece = 1024 * 1024;
    while (!data.empty()) {
        std::string_view piece = data.substr(0, kPiece);
        int rc = PQputCopyData(conn_.get(), piece.data(), static_cast<int>(piece.size()));
        if (rc < 0) co_await throw_copy_refusal();
        co_await flush();
        if (rc == 1) data.remove_prefix(piece.size());
    }
}

asio::awaitable<void> PgConnection::throw_copy_refusal() {
    // The server ended the COPY with an error while rows were still being sent: its result carries
    // the SQLSTATE; the connection's error text would carry its CONTEXT, which quotes the row.
    if (PQstatus(conn_.get()) != CONNECTION_BAD) co_await collect_results();
    throw PgError(PQstatus(conn_.get()) == CONNECTION_BAD ? error_message() : "COPY ended by the server", "");
}

asio::awaitable<PgResult> PgConnection::put_copy_end() {
    for (;;) {
        int rc = PQputCopyEnd(conn_.get(), nullptr);
        if (rc < 0) co_await throw_copy_refusal();
        co_await flush();
        if (rc == 1) break;
    }
    co_return co_await collect_results();
}

}  // namespace pgtrail
