// JSON string escaping and number/LSN formatting: pure C++, no PostgreSQL headers,
// so the plugin's hot loops and the unit tests share one implementation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pgtrail {

/// Length of the longest prefix of [s, s+n) that can be copied into a JSON string as is.
std::size_t json_clean_run(const char *s, std::size_t n) noexcept;

/// Writes the JSON escape of byte c (one json_clean_run stopped at) to out; returns its length (2 or 6).
std::size_t json_escape_byte(unsigned char c, char out[6]) noexcept;

/// Size of [s, s+n) written as a JSON string: quotes and escapes included.
std::size_t json_string_size(const char *s, std::size_t n) noexcept;

/// Length of the longest prefix of [s, s+n) that is valid UTF-8 (ends on a character boundary).
std::size_t utf8_valid_prefix(const char *s, std::size_t n) noexcept;

/// Length of the invalid byte sequence at s (at least 1), to be replaced by one U+FFFD.
std::size_t utf8_invalid_run(const char *s, std::size_t n) noexcept;

/// Formats v in decimal into out (at least 20 bytes); returns the length.
std::size_t format_int64(std::int64_t v, char *out) noexcept;

/// Formats an LSN the way PostgreSQL does ("%X/%X") into out (at least 17 bytes); returns the length.
std::size_t format_lsn(std::uint64_t lsn, char *out) noexcept;

/// Parses "%X/%X"; returns false on anything else.
bool parse_lsn(const char *s, std::size_t n, std::uint64_t *lsn) noexcept;

}  // namespace pgtrail
