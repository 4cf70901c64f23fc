// A request target split into its path and its decoded query parameters, with the limits every
// UI request obeys (no NUL bytes, bounded value sizes), and BadRequest for anything malformed.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgtrail::ui {

/// A request the client must fix: answered 400 with this message (never SQL).
struct BadRequest : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Target {
    std::string path;
    std::vector<std::pair<std::string, std::string>> params;  ///< in order, decoded

    /// The value of the parameter (the last one when repeated), if present.
    std::optional<std::string> get(std::string_view name) const;
};

/// Longest parameter value accepted (a filter longer than this is a mistake or an attack).
constexpr std::size_t kMaxParamBytes = 2048;

/// Splits "/path?a=1&b=%20x" and decodes it ('+' is a space); throws BadRequest on bad escapes,
/// NUL bytes or values over kMaxParamBytes.
Target parse_target(std::string_view target);

}  // namespace pgtrail::ui
