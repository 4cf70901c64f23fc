// Column rules shared by the plugin and the sink (pure C++): which columns are redacted
// (--redact) or ignored (--ignore-columns), and how a redacted value is written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgtrail {

/// A `schema.table.column` pattern; each part a glob (`*` any run of characters).
struct ColumnPattern {
    std::string schema, table, column;
};

/// Parses a comma list of `schema.table.column` patterns (names as in include-tables: unquoted
/// letters fold to lower case, quotes keep them). Throws std::invalid_argument.
std::vector<ColumnPattern> parse_column_patterns(std::string_view list);

/// True when some pattern matches schema.table.column.
bool any_column_matches(const std::vector<ColumnPattern> &patterns, std::string_view schema, std::string_view table,
                        std::string_view column) noexcept;

/// What a redacted value becomes without a key: a fixed JSON string (null stays null).
inline constexpr std::string_view kRedactedJson = "\"[redacted]\"";

/// The JSON string written for a redacted value with a key: its HMAC-SHA256 (of the value's JSON
/// text) in hex, so equal values stay equal without revealing them.
std::string hmac_marker_json(const unsigned char *digest, std::size_t len);

/// A hex string's bytes (the key passed to the plugin as the redact-key option).
/// Throws std::invalid_argument when it is not an even number of hex digits.
std::string decode_hex(std::string_view hex);
std::string encode_hex(std::string_view bytes);

}  // namespace pgtrail
