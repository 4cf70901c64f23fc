// Text-format COPY encoding: escaping fields, array literals, timestamps. Pure C++.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgtrail {

/// Appends s to out escaped for a text-format COPY field (backslash, newline, CR, tab).
void append_copy_escaped(std::string &out, std::string_view s);

/// Appends JSON text escaped for a COPY field, with every \u0000 escape (which jsonb
/// refuses) turned into \ufffd. Returns how many were replaced.
std::size_t append_copy_escaped_json(std::string &out, std::string_view json);

/// Appends the COPY escape of about the first max_bytes of json (more when an escape starts
/// before that limit: it is never split), replacing \u0000 as append_copy_escaped_json does and
/// counting them into replaced. Returns how many bytes of json it took.
std::size_t append_copy_escaped_json_part(std::string &out, std::string_view json, std::size_t max_bytes, std::size_t &replaced);

/// How many \u0000 escapes append_copy_escaped_json would replace in json.
std::size_t count_nul_escapes(std::string_view json);

/// Appends a text[] literal ({"a","b"}) of the names, escaped for COPY.
void append_copy_text_array(std::string &out, const std::vector<std::string_view> &items);

/// Appends s as a JSON string literal (quotes included); NUL bytes become U+FFFD (jsonb refuses \u0000).
void append_json_string(std::string &out, std::string_view s);
/// The same without the quotes; bytes are escaped one by one, so s may be any piece of a string.
void append_json_string_body(std::string &out, std::string_view s);

/// Formats microseconds since the Unix epoch as "YYYY-MM-DD HH:MM:SS.ffffff+00".
std::string format_utc_timestamp(std::int64_t unix_micros);
/// The same into out (its memory reused: the session formats one per change).
void format_utc_timestamp(std::int64_t unix_micros, std::string &out);

/// Microseconds since the Unix epoch, from the system clock.
std::int64_t now_unix_micros();

}  // namespace pgtrail
