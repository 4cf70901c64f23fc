// Small JSON pieces the UI writes itself (the rows' JSON comes from PostgreSQL).
#pragma once

#include <string>
#include <string_view>

namespace pgtrail::ui {

/// text as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD.
std::string json_string(std::string_view text);
/// {"error": message}
std::string json_error(std::string_view message);

}  // namespace pgtrail::ui
