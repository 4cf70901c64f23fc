// Text-format COPY encoding.
#include "pg/copy_text.h"

#include <chrono>
#include <cstdio>
#include <ctime>

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

}  // namespace

void append_copy_escaped(std::string &out, std::string_view s) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); i++) {
        char letter = copy_escape_letter(s[i]);
        if (letter == 0) continue;
        out.append(s.data() + run, i - run);
        out.push_back('\\');
        out.push_back(letter);
        run = i + 1;
    }
    out.append(s.data() + run, s.size() - run);
}

std::size_t append_copy_escaped_json(std::string &out, std::string_view json) {
    std::size_t replaced = 0;
    std::size_t run = 0;
    for (std::size_t i = 0; i < json.size(); i++) {
        char c = json[i];
        char letter = copy_escape_letter(c);
        if (letter == 0) continue;
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
    out.append(json.data() + run, json.size() - run);
    return replaced;
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
    out.push_back('"');
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

std::string format_utc_timestamp(std::int64_t unix_micros) {
    std::int64_t seconds = unix_micros / 1000000, micros = unix_micros % 1000000;
    if (micros < 0) {  // before 1970: floor, not truncation
        seconds -= 1;
        micros += 1000000;
    }
    std::string out = second_text(static_cast<std::time_t>(seconds));
    char fraction[11] = ".000000+00";
    for (int i = 6; i >= 1; i--, micros /= 10) fraction[i] = static_cast<char>('0' + micros % 10);
    out.append(fraction, 10);
    return out;
}

std::int64_t now_unix_micros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace pgtrail
