// numeric_in's limits (PostgreSQL's numeric.c: set_var_from_str, make_result) applied to JSON
// number tokens, and a walk over an image's values to find them.
#include "stream/jsonb_numbers.h"

#include <climits>
#include <cstdint>

#include <simdjson.h>
#if defined(__SSE2__)
#include <emmintrin.h>  // 16-byte scan in may_hold_unholdable_number (every x86-64 has SSE2)
#endif

namespace pgtrail {

namespace ondemand = simdjson::ondemand;

namespace {

constexpr std::int64_t kMaxDscale = 0x3FFF;     // NUMERIC_DSCALE_MASK: digits after the point
constexpr std::int64_t kMaxWeight = INT16_MAX;  // n_weight is an int16, in base-10000 digits
constexpr std::int64_t kMinWeight = INT16_MIN;
constexpr std::int64_t kMaxExponent = INT_MAX / 2;  // numeric_in refuses |exponent| >= this
constexpr std::size_t kLongDigitRun = 6000;         // fewer digits with an exponent under 10000 always fit

bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Reads the digits of an exponent (after e and its sign); false when it is at least kMaxExponent.
bool read_exponent(std::string_view digits, std::int64_t &value) {
    std::size_t i = 0;
    while (i < digits.size() && digits[i] == '0') i++;
    value = 0;
    for (; i < digits.size(); i++) {
        value = value * 10 + (digits[i] - '0');
        if (value >= kMaxExponent) return false;
    }
    return true;
}

/// Base-10000 weight of the digit at decimal exponent d (floor(d / 4)).
std::int64_t weight_of(std::int64_t d) { return d >= 0 ? d / 4 : -((-d - 1) / 4 + 1); }

/// True after a number's last digit: JSON puts only these (or the end) after a number token.
bool ends_number(char c) { return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/// True when the e at s[i], after a digit, starts an exponent of 5 or more digits that ends a
/// number token. A uuid's or a word's "3e12345a" is not one, so ordinary rows skip the walk.
bool long_exponent_at(const char *s, std::size_t i, std::size_t n) {
    if (i == 0 || !is_digit(s[i - 1])) return false;
    std::size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) j++;
    std::size_t k = j;
    while (k < n && is_digit(s[k])) k++;
    return k - j >= 5 && (k == n || ends_number(s[k]));
}

/// The byte loop of may_hold_unholdable_number: run counts the digits in a row before s[i].
bool byte_may_start_unholdable(const char *s, std::size_t i, std::size_t n, std::size_t &run) {
    char c = s[i];
    if (is_digit(c)) return ++run >= kLongDigitRun;
    run = 0;
    return (c == 'e' || c == 'E') && long_exponent_at(s, i, n);
}

/// True when the value (a member's or an element's) holds a number jsonb cannot hold.
bool holds_unholdable(ondemand::value value) {
    ondemand::json_type type{};
    if (value.type().get(type)) return false;
    if (type == ondemand::json_type::number) return !jsonb_can_hold_number(trim_right(value.raw_json_token()));
    if (type == ondemand::json_type::object) {
        ondemand::object obj;
        if (value.get_object().get(obj)) return false;
        for (auto field : obj) {
            ondemand::value v;
            if (field.value().get(v)) return false;
            if (holds_unholdable(v)) return true;
        }
    } else if (type == ondemand::json_type::array) {
        ondemand::array arr;
        if (value.get_array().get(arr)) return false;
        for (auto element : arr) {
            ondemand::value v;
            if (element.get(v)) return false;
            if (holds_unholdable(v)) return true;
        }
    }
    return false;
}

}  // namespace

bool jsonb_can_hold_number(std::string_view token) {
    std::size_t i = 0;
    if (i < token.size() && token[i] == '-') i++;
    std::size_t int_start = i;
    while (i < token.size() && is_digit(token[i])) i++;
    std::string_view int_digits = token.substr(int_start, i - int_start);
    std::string_view frac_digits;
    if (i < token.size() && token[i] == '.') {
        std::size_t frac_start = ++i;
        while (i < token.size() && is_digit(token[i])) i++;
        frac_digits = token.substr(frac_start, i - frac_start);
    }
    std::int64_t exponent = 0;
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
        i++;
        bool negative = i < token.size() && token[i] == '-';
        if (i < token.size() && (token[i] == '-' || token[i] == '+')) i++;
        if (!read_exponent(token.substr(i), exponent)) return false;
        if (negative) exponent = -exponent;
    }
    std::int64_t dscale = std::max<std::int64_t>(0, static_cast<std::int64_t>(frac_digits.size()) - exponent);
    if (dscale > kMaxDscale) return false;
    // The decimal exponent of the first non-zero digit; a zero has weight 0.
    std::size_t nonzero = int_digits.find_first_not_of('0');
    std::int64_t d;
    if (nonzero != std::string_view::npos) {
        d = static_cast<std::int64_t>(int_digits.size() - 1 - nonzero) + exponent;
    } else if ((nonzero = frac_digits.find_first_not_of('0')) != std::string_view::npos) {
        d = -static_cast<std::int64_t>(nonzero + 1) + exponent;
    } else {
        return true;
    }
    std::int64_t weight = weight_of(d);
    return weight >= kMinWeight && weight <= kMaxWeight;
}

bool may_hold_unholdable_number(std::string_view json) {
    const char *s = json.data();
    std::size_t n = json.size();
    std::size_t run = 0;  // digits in a row so far
    std::size_t i = 0;
    while (i < n) {
#if defined(__SSE2__)
        if (i + 16 <= n) {
            __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
            __m128i lower = _mm_or_si128(chunk, _mm_set1_epi8(0x20));
            unsigned e_mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(lower, _mm_set1_epi8('e'))));
            if (e_mask == 0) {
                // No e or E: the block only extends or ends a run of digits.
                __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(chunk, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(chunk, _mm_set1_epi8('9' + 1)));
                unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(digit));
                if (mask == 0xFFFF) {
                    run += 16;
                } else {
                    if (run + static_cast<std::size_t>(__builtin_ctz(~mask)) >= kLongDigitRun) return true;
                    run = static_cast<std::size_t>(__builtin_clz(~mask << 16));  // the digits the block ends with
                }
                if (run >= kLongDigitRun) return true;
                i += 16;
                continue;
            }
            // The bytes up to the first e go one by one.
            for (std::size_t stop = i + static_cast<std::size_t>(__builtin_ctz(e_mask)) + 1; i < stop; i++)
                if (byte_may_start_unholdable(s, i, n, run)) return true;
            continue;
        }
#endif
        if (byte_may_start_unholdable(s, i, n, run)) return true;
        i++;
    }
    return false;
}

std::vector<std::string> columns_with_unholdable_numbers(std::string_view image) {
    std::vector<std::string> columns;
    simdjson::padded_string padded(image);
    ondemand::parser parser;
    ondemand::document doc;
    ondemand::object obj;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) return columns;
    for (auto field : obj) {
        std::string_view name;
        ondemand::value value;
        if (field.unescaped_key().get(name) || field.value().get(value)) return {};
        std::string column(name);  // the key's buffer is reused by the walk
        if (holds_unholdable(value)) columns.push_back(std::move(column));
    }
    return columns;
}

}  // namespace pgtrail
