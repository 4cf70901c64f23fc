// Text-format COPY encoding.
#include "pg/copy_text.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#if defined(__SSE2__)
#include <emmintrin.h>  // 16-byte scan in copy_clean_run (every x86-64 has SSE2)
#endif

#include "json_escape.h"

namespace pgtrail {

namespace {

/// The escape for byte c in a COPY field, or 0 when c is copied as is.
char copy_escape_letter(char c) {
    switch (c) {
    case '\\': return '\\';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return 0;
    }
}

/// Where the next byte COPY must escape is in [s + from, s + n), or n: every image passes
/// through here, and a byte loop was the sink's largest cost.
std::size_t copy_clean_run(const char *s, std::size_t from, std::size_t n) {
    std::size_t i = from;
#if defined(__SSE2__)
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i tab = _mm_set1_epi8('\t');
    for (; i + 16 <= n; i += 16) {
        __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, backslash), _mm_cmpeq_epi8(chunk, newline)),
                                    _mm_or_si128(_mm_cmpeq_epi8(chunk, cr), _mm_cmpeq_epi8(chunk, tab)));
        int mask = _mm_movemask_epi8(hits);
        if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    while (i < n && copy_escape_letter(s[i]) == 0) i++;
    return i;
}

}  // namespace

void append_copy_escaped(std::string &out, std::string_view s) {
    std::size_t run = 0;
    for (std::size_t i = copy_clean_run(s.data(), 0, s.size()); i < s.size(); i = copy_clean_run(s.data(), i + 1, s.size())) {
        out.append(s.data() + run, i - run);
        out.push_back('\\');
        out.push_back(copy_escape_letter(s[i]));
        run = i + 1;
    }
    out.append(s.data() + run, s.size() - run);
}

std::size_t append_copy_escaped_json(std::string &out, std::string_view json) {
    std::size_t replaced = 0;
    append_copy_escaped_json_part(out, json, json.size(), replaced);
    return replaced;
}

std::size_t count_nul_escapes(std::string_view json) {
    std::size_t count = 0;
    for (std::size_t i = json.find('\\'); i != std::string_view::npos && i + 1 < json.size(); i = json.find('\\', i)) {
        bool nul = json.compare(i + 1, 5, "u0000") == 0;
        count += nul ? 1 : 0;
        i += nul ? 6 : 2;  // an escape is the backslash and what follows it
    }
    return count;
}

std::size_t append_copy_escaped_json_part(std::string &out, std::string_view json, std::size_t max_bytes, std::size_t &replaced) {
    std::size_t limit = std::min(max_bytes, json.size());
    std::size_t run = 0;
    for (std::size_t i = copy_clean_run(json.data(), 0, limit); i < limit; i = copy_clean_run(json.data(), i + 1, limit)) {
        char c = json[i];
        char letter = copy_escape_letter(c);
        out.append(json.data() + run, i - run);
        out.push_back('\\');
        out.push_back(letter);
        run = i + 1;
        if (c != '\\' || i + 1 >= json.size()) continue;
        // A JSON escape: take its second character along, so "\\u0000" is never misread.
        if (json.compare(i + 1, 5, "u0000") == 0) {
            out.append("ufffd");
            replaced++;
            i += 5;
        } else {
            char second = json[i + 1];
            if (second == '\\') out.push_back('\\');
            out.push_back(second);
            i += 1;
        }
        run = i + 1;
    }
    std::size_t end = std::max(limit, run);  // an escape at the limit is taken whole
    out.append(json.data() + run, end - run);
    return end;
}

void append_copy_text_array(std::string &out, const std::vector<std::string_view> &items) {
    std::string literal = "{";
    for (std::size_t i = 0; i < items.size(); i++) {
        if (i > 0) literal.push_back(',');
        literal.push_back('"');
        for (char c : items[i]) {
            if (c == '"' || c == '\\') literal.push_back('\\');
            literal.push_back(c);
        }
        literal.push_back('"');
    }
    literal.push_back('}');
    append_copy_escaped(out, literal);
}

void append_json_string(std::string &out, std::string_view s) {
    out.push_back('"');
    append_json_string_body(out, s);
    out.push_back('"');
}

void append_json_string_body(std::string &out, std::string_view s) {
    const char *p = s.data();
    std::size_t n = s.size();
    while (n > 0) {
        std::size_t clean = json_clean_run(p, n);
        out.append(p, clean);
        p += clean;
        n -= clean;
        if (n == 0) break;
        if (*p == '\0') {
            out.append("\xEF\xBF\xBD");
        } else {
            char esc[6];
            out.append(esc, json_escape_byte(static_cast<unsigned char>(*p), esc));
        }
        p++;
        n--;
    }
}

namespace {

/// "YYYY-MM-DD HH:MM:SS" of a second, remembered: every change's queued_at is formatted, and
/// snprintf per change was ~8% of the sink's CPU.
const std::string &second_text(std::time_t seconds) {
    thread_local std::time_t cached = 0;
    thread_local std::string text;
    if (text.empty() || seconds != cached) {
        std::tm tm{};
        gmtime_r(&seconds, &tm);
        char buf[32];
        int len = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec);
        text.assign(buf, static_cast<std::size_t>(len));
        cached = seconds;
    }
    return text;
}

}  // namespace

void format_utc_timestamp(std::int64_t unix_micros, std::string &out) {
    std::int64_t seconds = unix_micros / 1000000, micros = unix_micros % 1000000;
    if (micros < 0) {  // before 1970: floor, not truncation
        seconds -= 1;
        micros += 1000000;
    }
    out.assign(second_text(static_cast<std::time_t>(seconds)));
    char fraction[11] = ".000000+00";
    for (int i = 6; i >= 1; i--, micros /= 10) fraction[i] = static_cast<char>('0' + micros % 10);
    out.append(fraction, 10);
}

std::string format_utc_timestamp(std::int64_t unix_micros) {
    std::string out;
    format_utc_timestamp(unix_micros, out);
    return out;
}

std::int64_t now_unix_micros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace pgtrail
