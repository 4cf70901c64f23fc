// The UI's access checks.
#include "ui/ui_auth.h"

namespace pgtrail::ui {

namespace {

/// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semicolon = header.find(';');
        std::string_view pair = header.substr(0, semicolon);
        header = semicolon == std::string_view::npos ? std::string_view{} : header.substr(semicolon + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        auto equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == name) return std::string(pair.substr(equals + 1));
    }
    return "";
}

/// "127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "::1", "localhost" -> "localhost".
std::string host_name(const std::string &host) {
    if (!host.empty() && host.front() == '[') {
        auto close = host.find(']');
        return close == std::string::npos ? host : host.substr(1, close - 1);
    }
    return host.substr(0, host.find(':'));
}

}  // namespace

std::string listen_refusal(const std::string &address, bool is_loopback, const std::string &token) {
    if (is_loopback || !token.empty()) return "";
    return "refusing to listen on " + address +
           " without a token: anyone who reaches that address could read every recorded change. "
           "Set PGTRAIL_UI_TOKEN to a long random secret, or listen on 127.0.0.1";
}

bool same_secret(std::string_view a, std::string_view b) {
    unsigned char differ = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); i++) differ |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
    return differ == 0 && !b.empty();
}

bool token_accepted(const std::string &token, const RequestCredentials &request) {
    if (token.empty()) return true;
    const std::string bearer = "Bearer ";
    if (request.authorization.rfind(bearer, 0) == 0 && same_secret(request.authorization.substr(bearer.size()), token)) return true;
    if (same_secret(cookie_value(request.cookie, kTokenCookie), token)) return true;
    return request.token_param && same_secret(*request.token_param, token);
}

bool host_accepted(bool is_loopback, const std::string &token, const std::string &host) {
    if (!is_loopback || !token.empty()) return true;
    std::string name = host_name(host);
    bool dotted_digits = name.find_first_not_of("0123456789.") == std::string::npos;
    return name == "localhost" || name == "::1" || (name.rfind("127.", 0) == 0 && dotted_digits);
}

bool csrf_accepted(const RequestCredentials &request) {
    if (request.csrf_header != "1") return false;
    if (request.origin.empty()) return true;
    return request.origin == "http://" + request.host || request.origin == "https://" + request.host;
}

}  // namespace pgtrail::ui
