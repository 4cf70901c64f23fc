// Accepting and reading requests for the UI.
#include "ui/ui_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "log.h"
#include "ops/task_end.h"

namespace pgtrail::ui {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// 431 or 413 with a JSON error, then the connection is closed.
asio::awaitable<void> refuse_oversized(beast::tcp_stream &stream, bool headers) {
    http::response<http::string_body> response{headers ? http::status::request_header_fields_too_large : http::status::payload_too_large, 11};
    response.set(http::field::content_type, "application/json; charset=utf-8");
    response.body() = headers ? "{\"error\":\"the request's headers are over 8 KiB\"}" : "{\"error\":\"the request's body is over 64 KiB\"}";
    response.keep_alive(false);
    response.prepare_payload();
    boost::system::error_code ignored;
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

UiServer::UiServer(asio::io_context &io, const tcp::endpoint &endpoint, ApiContext &api, RouterSettings settings, Limits limits)
    : io_(io), acceptor_(io), api_(api), settings_(std::move(settings)), limits_(limits) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " + ec.message());
}

std::string UiServer::address() const {
    boost::system::error_code ec;
    auto endpoint = acceptor_.local_endpoint(ec);
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(endpoint.port());
}

void UiServer::start() {
    asio::co_spawn(io_, accept_loop(), log_task_end("ui server stopped: ", log::Level::debug));
}

void UiServer::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> UiServer::accept_loop() {
    while (acceptor_.is_open()) {
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            continue;
        }
        if (open_ >= limits_.max_connections) {
            log::debug("ui: " + std::to_string(open_) + " clients open, closing a new one");
            socket.close(ec);
            continue;
        }
        asio::co_spawn(io_, serve(std::move(socket)), log_task_end("ui request failed: ", log::Level::debug));
    }
}

asio::awaitable<void> UiServer::serve(tcp::socket socket) {
    open_++;
    struct Closed {
        int &open;
        ~Closed() { open--; }
    } closed{open_};
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(8 * 1024);
        parser.body_limit(64 * 1024);
        boost::system::error_code ec;
        // One deadline for the whole request: a client that drips bytes gets no more time.
        stream.expires_after(limits_.request_timeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::header_limit || ec == http::error::body_limit) {
            co_await refuse_oversized(stream, ec == http::error::header_limit);
            break;
        }
        if (ec) break;
        stream.expires_after(std::chrono::seconds(120));  // answering: the queries have their own 30 s timeout
        auto request = parser.release();
        bool again = co_await route(api_, settings_, request, stream);
        if (!again) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace pgtrail::ui
