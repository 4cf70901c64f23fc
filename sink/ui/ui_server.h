// The UI's HTTP/1.1 server (Boost.Beast on the command's io_context): bounded requests (8 KiB of
// headers, 64 KiB of body), each read within Limits::request_timeout, at most Limits::max_connections
// clients (a client over the cap is closed at once), every request through router.h.
#pragma once

#include <chrono>
#include <string>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "ui/router.h"

namespace pgtrail::ui {

class UiServer {
public:
    struct Limits {
        int max_connections = 32;
        std::chrono::seconds request_timeout{15};
    };

    /// Listens on endpoint; throws std::runtime_error when it cannot.
    UiServer(boost::asio::io_context &io, const boost::asio::ip::tcp::endpoint &endpoint, ApiContext &api,
             RouterSettings settings, Limits limits);
    void start();
    void stop();
    std::string address() const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context &io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    ApiContext &api_;
    RouterSettings settings_;
    Limits limits_;
    int open_ = 0;
};

}  // namespace pgtrail::ui
