// Logging.
#include "log.h"

#include <cstdio>
#include <stdexcept>

#include "pg/copy_text.h"

namespace pgtrail::log {

namespace {

Level g_min_level = Level::info;
bool g_json = false;

const char *level_name(Level level) {
    switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    default: return "error";
    }
}

/// "2026-11-21T09:26:00.123Z"
std::string timestamp() {
    std::string ts = format_utc_timestamp(now_unix_micros());
    ts[10] = 'T';
    return ts.substr(0, 23) + "Z";
}

}  // namespace

Level parse_level(std::string_view text) {
    if (text == "debug") return Level::debug;
    if (text == "info") return Level::info;
    if (text == "warn" || text == "warning") return Level::warn;
    if (text == "error") return Level::error;
    throw std::invalid_argument("log level must be debug, info, warn or error");
}

void configure(Level min_level, bool json) {
    g_min_level = min_level;
    g_json = json;
}

namespace {

/// libpq's messages span lines ("...\n\tThis probably means..."): one event, one line.
std::string one_line(std::string_view message) {
    std::string out;
    for (char c : message) {
        if (c == '\n' || c == '\t' || c == '\r') {
            if (!out.empty() && out.back() != ' ') out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

void write(Level level, std::string_view text) {
    if (level < g_min_level) return;
    std::string message = one_line(text);
    std::string line;
    if (g_json) {
        line = "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + level_name(level) + "\",\"msg\":";
        append_json_string(line, message);
        line += "}\n";
    } else {
        line = timestamp() + " " + level_name(level) + " " + std::string(message) + "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace pgtrail::log
