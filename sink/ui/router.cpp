// Dispatch, access checks and headers.
#include "ui/router.h"

#include <map>

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include "ui/api_errors.h"
#include "ui/assets.h"
#include "ui/export_api.h"
#include "ui/json_text.h"
#include "ui/ui_auth.h"

namespace pgtrail::ui {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

using Request = http::request<http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// Sent with every response: only this server's own scripts, styles and requests; no framing.
Headers security_headers() {
    return {{"Content-Security-Policy",
             "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
             "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
            {"X-Content-Type-Options", "nosniff"},
            {"X-Frame-Options", "DENY"},
            {"Referrer-Policy", "no-referrer"},
            {"Cache-Control", "no-store"},
            {"Server", "pgtrail"}};
}

std::string header(const Request &request, http::field field) {
    auto it = request.find(field);
    return it == request.end() ? "" : std::string(it->value());
}

RequestCredentials credentials(const Request &request, const Target &target) {
    RequestCredentials out;
    out.authorization = header(request, http::field::authorization);
    out.cookie = header(request, http::field::cookie);
    out.host = header(request, http::field::host);
    out.origin = header(request, http::field::origin);
    auto csrf = request.find(std::string(kCsrfHeader));
    if (csrf != request.end()) out.csrf_header = std::string(csrf->value());
    out.token_param = target.get("token");
    return out;
}

using Handler = Api (*)(ApiContext &, const Target &);
const std::map<std::string, Handler> &get_routes() {
    static const std::map<std::string, Handler> routes{
        {"/api/feed", feed},           {"/api/tail", tail},         {"/api/activity", activity},
        {"/api/timeline", timeline},   {"/api/row", row_as_of},     {"/api/transaction", transaction},
        {"/api/tables", tables},       {"/api/revert-sql", revert_sql}, {"/api/config", config}};
    return routes;
}

/// The page's files: "/" and unknown non-API paths get index.html (the page routes by its URL hash).
Reply static_file(const std::string &path) {
    const Asset *asset = find_asset(path == "/" ? "/index.html" : path);
    if (!asset && path.rfind("/assets/", 0) != 0) asset = find_asset("/index.html");
    if (!asset) return Reply{404, "application/json; charset=utf-8", json_error("not found"), {}};
    Reply reply{200, std::string(asset->content_type), std::string(asset->body), {}};
    return reply;
}

/// After ?token=T on a page: keep the token in a cookie the page's own requests carry, and drop it from the URL.
Reply token_cookie_redirect(const std::string &token) {
    Reply reply{303, "text/plain; charset=utf-8", "signed in\n", {}};
    reply.headers = {{"Set-Cookie", std::string(kTokenCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict"}, {"Location", "/"}};
    return reply;
}

/// The access checks; a reply when the request is refused.
std::optional<Reply> refusal(const RouterSettings &settings, const Request &request, const Target &target) {
    RequestCredentials who = credentials(request, target);
    if (!host_accepted(settings.loopback, settings.token, who.host))
        return Reply{421, "application/json; charset=utf-8", json_error("this server answers only to localhost / 127.0.0.1"), {}};
    if (!token_accepted(settings.token, who)) {
        Reply reply{401, "application/json; charset=utf-8", json_error("a token is required: Authorization: Bearer <PGTRAIL_UI_TOKEN>, or open /?token=<PGTRAIL_UI_TOKEN> once"), {}};
        reply.headers = {{"WWW-Authenticate", "Bearer"}};
        return reply;
    }
    if (request.method() == http::verb::post && !csrf_accepted(who))
        return Reply{403, "application/json; charset=utf-8", json_error("a changing request needs the X-Pgtrail-Csrf: 1 header and this server's Origin"), {}};
    return std::nullopt;
}

asio::awaitable<Reply> answer(ApiContext &api, const RouterSettings &settings, const Request &request, const Target &target) {
    if (auto refused = refusal(settings, request, target)) co_return *refused;
    if (target.get("token") && !settings.token.empty() && request.method() == http::verb::get && target.path.rfind("/api/", 0) != 0)
        co_return token_cookie_redirect(settings.token);
    if (request.method() == http::verb::post) {
        if (target.path == "/api/revert") co_return co_await revert_execute(api, target);
        co_return Reply{405, "application/json; charset=utf-8", json_error("POST only to /api/revert"), {}};
    }
    if (request.method() != http::verb::get && request.method() != http::verb::head)
        co_return Reply{405, "application/json; charset=utf-8", json_error("GET, HEAD or POST"), {}};
    auto route = get_routes().find(target.path);
    if (route != get_routes().end()) co_return co_await route->second(api, target);
    if (target.path.rfind("/api/", 0) == 0) co_return Reply{404, "application/json; charset=utf-8", json_error("no such API endpoint"), {}};
    co_return static_file(target.path);
}

asio::awaitable<void> send(boost::beast::tcp_stream &stream, const Request &request, const Reply &reply, bool keep_alive) {
    http::response<http::string_body> response{static_cast<http::status>(reply.status), request.version()};
    for (const auto &[name, value] : security_headers()) response.set(name, value);
    for (const auto &[name, value] : reply.headers) response.set(name, value);
    response.set(http::field::content_type, reply.content_type);
    response.body() = request.method() == http::verb::head ? "" : reply.body;
    response.keep_alive(keep_alive);
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::use_awaitable);
}

}  // namespace

asio::awaitable<bool> route(ApiContext &api, const RouterSettings &settings, const Request &request, boost::beast::tcp_stream &stream) {
    Reply reply;
    bool exporting = false;
    try {
        std::string_view raw(request.target().data(), request.target().size());
        Target target = parse_target(raw);
        if (target.path == "/api/export.csv" || target.path == "/api/export.ndjson") {
            if (auto refused = refusal(settings, request, target)) {
                reply = *refused;
            } else {
                exporting = true;
                auto format = target.path == "/api/export.csv" ? ExportFormat::csv : ExportFormat::ndjson;
                Headers headers = security_headers();
                co_await stream_export(api, target, format, stream, request.version(), headers);
                co_return false;
            }
        } else {
            reply = co_await answer(api, settings, request, target);
        }
    } catch (...) {
        reply = error_reply(std::current_exception());
    }
    bool keep_alive = request.keep_alive() && !exporting;
    co_await send(stream, request, reply, keep_alive);
    co_return keep_alive;
}

}  // namespace pgtrail::ui
