// The metrics endpoint.
#include "ops/metrics_server.h"

#include <chrono>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "log.h"
#include "ops/metrics.h"
#include "ops/task_end.h"

namespace pgtrail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// The answer to one request.
http::response<http::string_body> respond(const http::request<http::string_body> &request) {
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::server, "pgtrail");
    response.keep_alive(request.keep_alive());
    std::string_view target(request.target().data(), request.target().size());
    if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        response.result(http::status::method_not_allowed);
        response.body() = "GET only\n";
    } else if (target == "/metrics") {
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        response.body() = metrics().render();
    } else if (target == "/healthz") {
        std::string reason = metrics().unhealthy_reason();
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        if (reason.empty()) {
            response.body() = "ok\n";
        } else {
            response.result(http::status::service_unavailable);
            response.body() = reason + "\n";
        }
    } else {
        response.result(http::status::not_found);
        response.body() = "try /metrics or /healthz\n";
    }
    response.prepare_payload();
    return response;
}

}  // namespace

tcp::endpoint parse_listen(const std::string &listen, const std::string &option) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size())
        throw std::runtime_error(option + " must be host:port, e.g. 127.0.0.1:9187, not \"" + listen + "\"");
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "127.0.0.1";  // every address only when asked (0.0.0.0:PORT)
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error(option + ": \"" + host + "\" is not an IP address");
    int port = 0;
    try {
        port = std::stoi(listen.substr(colon + 1));
    } catch (const std::exception &) {
        port = -1;
    }
    if (port < 0 || port > 65535) throw std::runtime_error(option + ": bad port in \"" + listen + "\"");
    return tcp::endpoint(address, static_cast<unsigned short>(port));
}

asio::awaitable<void> MetricsServer::serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    auto self = clients_.insert(clients_.end(), Client{&stream.socket()});
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        boost::system::error_code ec;
        // One deadline for reading and answering the request: a client that drips bytes is not given more time.
        stream.expires_after(limits_.request_timeout);
        co_await http::async_read(stream, buffer, request, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        auto response = respond(request);
        self->answering = true;
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
        self->answering = false;
        if (ec || !response.keep_alive()) break;
    }
    clients_.erase(self);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

void MetricsServer::make_room() {
    int open = 0;
    for (const auto &client : clients_) open += client.closing ? 0 : 1;
    if (open < limits_.max_connections) return;
    for (auto &client : clients_)
        if (!client.answering && !client.closing) {
            boost::system::error_code ignored;
            client.closing = true;
            client.socket->shutdown(tcp::socket::shutdown_both, ignored);
            client.socket->cancel(ignored);  // its serve() ends and removes it
            log::debug("metrics endpoint: " + std::to_string(open) + " clients open, closed the one idle longest");
            return;
        }
}

MetricsServer::MetricsServer(asio::io_context &io, const std::string &listen, Limits limits)
    : io_(io), acceptor_(io), limits_(limits) {
    tcp::endpoint endpoint = parse_listen(listen, "--metrics-listen");
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + listen + " for metrics: " + ec.message());
}

std::string MetricsServer::address() const {
    boost::system::error_code ec;
    auto endpoint = acceptor_.local_endpoint(ec);
    return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void MetricsServer::start() {
    log::info("serving /metrics and /healthz on http://" + address());
    asio::co_spawn(io_, accept_loop(), log_task_end("metrics endpoint stopped: "));
}

void MetricsServer::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto &client : clients_) client.socket->close(ignored);
}

asio::awaitable<void> MetricsServer::accept_loop() {
    while (acceptor_.is_open()) {
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            log::warn("metrics endpoint: accept failed: " + ec.message());
            continue;
        }
        make_room();
        asio::co_spawn(io_, serve(std::move(socket)), log_task_end("metrics request failed: ", log::Level::debug));
    }
}

}  // namespace pgtrail
