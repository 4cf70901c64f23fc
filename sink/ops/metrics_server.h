// GET /metrics (Prometheus text) and GET /healthz (200 when connected and not stalled, else 503)
// over HTTP/1.1 with Boost.Beast, on the sink's io_context. Loopback unless an address is given;
// at most Limits::max_connections clients (the one idle longest is closed for a new one), each
// request read and answered within Limits::request_timeout from its first byte awaited.
#pragma once

#include <chrono>
#include <list>
#include <string>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace pgtrail {

/// host:port ([v6]:port too; no host or "localhost": 127.0.0.1) as an endpoint; std::runtime_error
/// naming `option` when it is not one.
boost::asio::ip::tcp::endpoint parse_listen(const std::string &listen, const std::string &option);

class MetricsServer {
public:
    struct Limits {
        int max_connections = 16;
        std::chrono::seconds request_timeout{10};
    };

    /// Binds host:port ([v6]:port too; no host: 127.0.0.1); throws std::runtime_error when it cannot.
    MetricsServer(boost::asio::io_context &io, const std::string &listen, Limits limits);
    /// Accepts connections until stop().
    void start();
    void stop();
    /// The address actually bound (port 0 picks one).
    std::string address() const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    /// One open client; answering: a response is being written (never closed to make room).
    struct Client {
        boost::asio::ip::tcp::socket *socket;
        bool answering = false;
        bool closing = false;  ///< closed to make room, its serve() not yet ended
    };
    /// At the cap, closes the client open longest that is not being answered.
    void make_room();

    boost::asio::io_context &io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    Limits limits_;
    std::list<Client> clients_;  ///< oldest first; closed by stop()
};

}  // namespace pgtrail
