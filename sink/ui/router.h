// One request to one answer: the access checks (ui_auth.h), then the page's files or the API, with
// the security headers on every response (a strict Content-Security-Policy among them).
#pragma once

#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "ui/api.h"

namespace pgtrail::ui {

struct RouterSettings {
    std::string token;        ///< PGTRAIL_UI_TOKEN ("" on loopback without one)
    bool loopback = true;     ///< the listening address is a loopback one
};

/// Answers the request on the stream; returns whether the connection may serve another request.
boost::asio::awaitable<bool> route(ApiContext &api, const RouterSettings &settings,
                                   const boost::beast::http::request<boost::beast::http::string_body> &request,
                                   boost::beast::tcp_stream &stream);

}  // namespace pgtrail::ui
