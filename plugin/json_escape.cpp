#include "json_escape.h"

#include <charconv>

#if defined(__SSE2__)
#include <emmintrin.h>  // 16-byte scan in json_clean_run (every x86-64 has SSE2)
#endif

namespace pgtrail {

namespace {

// 1 where a byte must be escaped inside a JSON string: controls, quote, backslash.
struct EscapeTable {
    bool needs[256] = {};
    constexpr EscapeTable() {
        for (int c = 0; c < 0x20; ++c)
            needs[c] = true;
        needs[static_cast<unsigned char>('"')] = true;
        needs[static_cast<unsigned char>('\\')] = true;
    }
};
constexpr EscapeTable kEscape;

constexpr char kHex[] = "0123456789abcdef";

// Expected continuation-byte count for a UTF-8 lead byte, or -1 when it cannot start a character.
int utf8_tail_length(unsigned char c) noexcept {
    if (c < 0x80) return 0;
    if (c >= 0xC2 && c <= 0xDF) return 1;
    if (c >= 0xE0 && c <= 0xEF) return 2;
    if (c >= 0xF0 && c <= 0xF4) return 3;
    return -1;
}

// Length of the valid character at s, or 0 when the bytes there are not one.
std::size_t utf8_char_length(const unsigned char *s, std::size_t n) noexcept {
    int tail = utf8_tail_length(s[0]);
    if (tail < 0 || static_cast<std::size_t>(tail) + 1 > n)
        return 0;
    for (int i = 1; i <= tail; ++i)
        if ((s[i] & 0xC0) != 0x80) return 0;
    // Reject overlong forms, surrogates and code points above U+10FFFF.
    if (s[0] == 0xE0 && s[1] < 0xA0) return 0;
    if (s[0] == 0xED && s[1] > 0x9F) return 0;
    if (s[0] == 0xF0 && s[1] < 0x90) return 0;
    if (s[0] == 0xF4 && s[1] > 0x8F) return 0;
    return static_cast<std::size_t>(tail) + 1;
}

}  // namespace

std::size_t json_clean_run(const char *s, std::size_t n) noexcept {
    const auto *p = reinterpret_cast<const unsigned char *>(s);
    std::size_t i = 0;
#if defined(__SSE2__)
    // 16 bytes at a time; the byte loop below finishes the tail and the stopping chunk.
    const __m128i control_max = _mm_set1_epi8(0x1F);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i));
        __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(chunk, control_max), chunk);  // byte <= 0x1F
        __m128i special = _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash));
        if (_mm_movemask_epi8(_mm_or_si128(control, special)) != 0) break;
    }
#endif
    while (i < n && !kEscape.needs[p[i]])
        ++i;
    return i;
}

std::size_t json_escape_byte(unsigned char c, char out[6]) noexcept {
    char short_form = 0;
    switch (c) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case '\b': short_form = 'b'; break;
    case '\f': short_form = 'f'; break;
    case '\n': short_form = 'n'; break;
    case '\r': short_form = 'r'; break;
    case '\t': short_form = 't'; break;
    default: break;
    }
    out[0] = '\\';
    if (short_form) {
        out[1] = short_form;
        return 2;
    }
    out[1] = 'u';
    out[2] = '0';
    out[3] = '0';
    out[4] = kHex[c >> 4];
    out[5] = kHex[c & 0xF];
    return 6;
}

std::size_t json_string_size(const char *s, std::size_t n) noexcept {
    std::size_t size = n + 2;
    char escape[6];
    for (std::size_t i = json_clean_run(s, n); i < n; i += json_clean_run(s + i, n - i)) {
        size += json_escape_byte(static_cast<unsigned char>(s[i]), escape) - 1;
        i++;
    }
    return size;
}

std::size_t utf8_valid_prefix(const char *s, std::size_t n) noexcept {
    const auto *p = reinterpret_cast<const unsigned char *>(s);
    std::size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = utf8_char_length(p + i, n - i);
        if (len == 0) break;
        i += len;
    }
    return i;
}

std::size_t utf8_invalid_run(const char *s, std::size_t n) noexcept {
    const auto *p = reinterpret_cast<const unsigned char *>(s);
    // Skip the offending lead byte and any stray continuation bytes after it.
    std::size_t i = 1;
    while (i < n && (p[i] & 0xC0) == 0x80)
        ++i;
    return i;
}

std::size_t format_int64(std::int64_t v, char *out) noexcept {
    return static_cast<std::size_t>(std::to_chars(out, out + 20, v).ptr - out);
}

std::size_t format_lsn(std::uint64_t lsn, char *out) noexcept {
    char *p = std::to_chars(out, out + 8, static_cast<std::uint32_t>(lsn >> 32), 16).ptr;
    *p++ = '/';
    p = std::to_chars(p, p + 8, static_cast<std::uint32_t>(lsn), 16).ptr;
    for (char *c = out; c < p; ++c)
        if (*c >= 'a' && *c <= 'f') *c = static_cast<char>(*c - 'a' + 'A');
    return static_cast<std::size_t>(p - out);
}

bool parse_lsn(const char *s, std::size_t n, std::uint64_t *lsn) noexcept {
    std::uint32_t hi = 0, lo = 0;
    const char *end = s + n;
    auto r1 = std::from_chars(s, end, hi, 16);
    if (r1.ec != std::errc() || r1.ptr == s || r1.ptr == end || *r1.ptr != '/') return false;
    const char *lo_start = r1.ptr + 1;
    auto r2 = std::from_chars(lo_start, end, lo, 16);
    if (r2.ec != std::errc() || r2.ptr == lo_start || r2.ptr != end) return false;
    *lsn = (static_cast<std::uint64_t>(hi) << 32) | lo;
    return true;
}

}  // namespace pgtrail
