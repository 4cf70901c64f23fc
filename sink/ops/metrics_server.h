// GET /metrics (Prometheus text) and GET /healthz (200 when connected and not stalled, else 503)
// over HTTP/1.1 with Boost.Beast, on the sink's io_context.
#pragma once

#include <set>
#include <string>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace pgtrail {

class MetricsServer {
public:
    /// Binds host:port ([v6]:port too); throws std::runtime_error when it cannot.
    MetricsServer(boost::asio::io_context &io, const std::string &listen);
    /// Accepts connections until stop().
    void start();
    void stop();
    /// The address actually bound (port 0 picks one).
    std::string address() const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context &io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::set<boost::asio::ip::tcp::socket *> clients_;  ///< closed by stop()
};

}  // namespace pgtrail
