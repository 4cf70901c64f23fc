#include "column_policy.h"

#include <stdexcept>

#include "name_pattern.h"

namespace pgtrail {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::vector<ColumnPattern> parse_column_patterns(std::string_view list) {
    std::vector<ColumnPattern> patterns;
    // Each item is read as a name list item; its dots split schema, table and column.
    for (auto &item : split_dotted_items(list)) {
        if (item.size() != 3)
            throw std::invalid_argument("a column pattern is schema.table.column (use * for any schema or table, "
                                        "quotes around names that contain dots), in \"" + std::string(list) + "\"");
        patterns.push_back({std::move(item[0]), std::move(item[1]), std::move(item[2])});
    }
    return patterns;
}

bool any_column_matches(const std::vector<ColumnPattern> &patterns, std::string_view schema, std::string_view table,
                        std::string_view column) noexcept {
    for (const auto &p : patterns)
        if (glob_match(p.column, column) && glob_match(p.table, table) && glob_match(p.schema, schema)) return true;
    return false;
}

std::string hmac_marker_json(const unsigned char *digest, std::size_t len) {
    std::string out = "\"[redacted hmac-sha256:";
    for (std::size_t i = 0; i < len; i++) {
        out += kHexDigits[digest[i] >> 4];
        out += kHexDigits[digest[i] & 15];
    }
    return out + "]\"";
}

std::string decode_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) throw std::invalid_argument("an odd number of hex digits");
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) throw std::invalid_argument("not a hex digit");
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::string encode_hex(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        out += kHexDigits[c >> 4];
        out += kHexDigits[c & 15];
    }
    return out;
}

}  // namespace pgtrail
