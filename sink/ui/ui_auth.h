// Who may use the UI: the token (PGTRAIL_UI_TOKEN) on every request, the refusal to listen beyond
// loopback without one, the Host check that stops DNS rebinding on loopback, and the CSRF defence of
// requests that change data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgtrail::ui {

/// The reason the UI must not start on this address with this token ("" when it may).
std::string listen_refusal(const std::string &address, bool is_loopback, const std::string &token);

/// The headers of one request that the checks read (empty when absent).
struct RequestCredentials {
    std::string authorization;  ///< "Bearer <token>"
    std::string cookie;         ///< the Cookie header, whole
    std::string host;
    std::string origin;
    std::string csrf_header;    ///< X-Pgtrail-Csrf
    std::optional<std::string> token_param;  ///< ?token= (only to set the cookie)
};

/// The cookie the page keeps the token in.
constexpr std::string_view kTokenCookie = "pgtrail_ui_token";
/// The header every data-changing request carries: a cross-site form or image cannot set it.
constexpr std::string_view kCsrfHeader = "X-Pgtrail-Csrf";

/// True when the request carries the token (bearer, cookie or ?token=); always true without a token.
bool token_accepted(const std::string &token, const RequestCredentials &request);
/// On loopback without a token: the Host must name a loopback address or localhost, so that a page
/// of another site, resolved to 127.0.0.1 by its DNS, cannot read the API.
bool host_accepted(bool is_loopback, const std::string &token, const std::string &host);
/// A POST: needs the custom header, and an Origin (when sent) equal to http(s)://Host.
bool csrf_accepted(const RequestCredentials &request);

/// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace pgtrail::ui
