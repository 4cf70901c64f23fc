// Command line and environment.
#include "config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <libpq-fe.h>

#include "column_policy.h"
#include "log.h"
#include "schema/schema.h"

namespace pgtrail {

namespace {

const char *env(const std::string &name) {
    const char *value = std::getenv(name.c_str());
    return value && *value ? value : nullptr;
}

/// DB_HOST DB_PORT DB_NAME DB_USER (with prefix), when any is set.
ConnParams params_from_env(const std::string &prefix) {
    ConnParams conn;
    const std::pair<const char *, const char *> names[] = {
        {"DB_HOST", "host"}, {"DB_PORT", "port"}, {"DB_NAME", "dbname"}, {"DB_USER", "user"}};
    for (auto [var, keyword] : names)
        if (const char *value = env(prefix + var)) conn.params.emplace_back(keyword, value);
    return conn;
}

/// The connection from a URL/connection string, else the environment; password from the environment.
ConnParams resolve_conn(const std::string &url, const std::string &prefix) {
    ConnParams conn;
    if (const char *password = env(prefix + "DB_PASSWORD")) conn.params.emplace_back("password", password);
    if (!url.empty()) {
        conn.params.emplace_back("dbname", url);
        return conn;
    }
    ConnParams from_env = params_from_env(prefix);
    conn.params.insert(conn.params.end(), from_env.params.begin(), from_env.params.end());
    return conn;
}

bool destination_given(const RunConfig &config) {
    if (!config.destination_url.empty()) return true;
    for (const char *var : {"DESTINATION_DB_HOST", "DESTINATION_DB_PORT", "DESTINATION_DB_NAME", "DESTINATION_DB_USER"})
        if (env(var)) return true;
    return false;
}

void check_slot_name(const std::string &slot) {
    bool ok = !slot.empty() && slot.size() <= 54;
    for (char c : slot) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) throw std::invalid_argument("invalid slot name \"" + slot + "\": use lower-case letters, digits and _ (at most 54)");
}

/// True when a URL or connection string given on the command line holds a password.
bool holds_password(const std::string &url) {
    if (url.find('=') == std::string::npos && url.find("://") == std::string::npos) return false;
    char *error = nullptr;
    PQconninfoOption *options = PQconninfoParse(url.c_str(), &error);
    if (error) PQfreemem(error);
    if (!options) return false;
    bool found = false;
    for (PQconninfoOption *o = options; o->keyword; ++o)
        if (o->val && *o->val && std::string(o->keyword) == "password") found = true;
    PQconninfoFree(options);
    return found;
}

/// A password on the command line is readable by every user of the machine (ps, /proc/PID/cmdline).
void warn_password_on_command_line(const std::string &url, const char *option, const char *variable) {
    if (!holds_password(url)) return;
    log::warn(std::string(option) + " holds a password, which any user of this machine can read in the process list (ps); " +
              "give it in " + variable + " (or PGPASSWORD), or in a password file (~/.pgpass, PGPASSFILE), instead");
}

/// --retention's duration as a PostgreSQL interval: N followed by h, d, w or mon.
std::string retention_interval(const std::string &text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') digits++;
    std::string unit = text.substr(digits);
    const char *name = unit == "h" ? "hours" : unit == "d" ? "days" : unit == "w" ? "weeks" : unit == "mon" ? "months" : nullptr;
    if (digits == 0 || digits > 6 || !name || std::stoi(text.substr(0, digits)) == 0)
        throw std::invalid_argument("--retention: \"" + text + "\" is not a duration: a positive number followed by h, d, w or mon (e.g. 30d)");
    return text.substr(0, digits) + " " + name;
}

/// Checks the policy patterns now (a typo is an error at start, not a surprise later) and reads
/// --redact-hash's key. Messages never hold the key.
void resolve_policies(RunConfig &config) {
    try {
        if (!config.redact.empty()) parse_column_patterns(config.redact);
    } catch (const std::invalid_argument &e) {
        throw std::invalid_argument(std::string("--redact: ") + e.what());
    }
    try {
        if (!config.ignore_columns.empty()) parse_column_patterns(config.ignore_columns);
    } catch (const std::invalid_argument &e) {
        throw std::invalid_argument(std::string("--ignore-columns: ") + e.what());
    }
    if (!config.retention.empty()) {
        config.retention_interval = retention_interval(config.retention);
        if (config.partition_by.empty()) throw std::invalid_argument("--retention drops partitions: it needs --partition-by day|month");
    }
    if (!config.redact_hash) {
        if (!config.redact_key_file.empty()) throw std::invalid_argument("--redact-key-file is only read with --redact-hash");
        return;
    }
    if (config.redact.empty()) throw std::invalid_argument("--redact-hash needs --redact (the columns to hash)");
    if (!config.redact_key_file.empty()) {
        std::ifstream in(config.redact_key_file, std::ios::binary);
        if (!in) throw std::invalid_argument("--redact-key-file: cannot read " + config.redact_key_file);
        std::ostringstream content;
        content << in.rdbuf();
        config.redact_key = content.str();
        while (!config.redact_key.empty() && (config.redact_key.back() == '\n' || config.redact_key.back() == '\r'))
            config.redact_key.pop_back();  // a key written with echo keeps its meaning
    } else if (const char *key = std::getenv("PGTRAIL_REDACT_KEY")) {
        config.redact_key = key;
    }
    if (config.redact_key.empty())
        throw std::invalid_argument("--redact-hash needs a key: --redact-key-file FILE or the PGTRAIL_REDACT_KEY variable (not empty)");
}

}  // namespace

std::string ConnParams::describe() const {
    std::string out;
    for (const auto &[key, value] : params) {
        if (key == "password") continue;
        if (key == "dbname" && value.find('=') != std::string::npos) continue;  // a connection string: may hold a password
        if (key == "dbname" && value.find("://") != std::string::npos) continue;
        if (!out.empty()) out += " ";
        out += key + "=" + value;
    }
    return out;
}

bool ConnParams::has(const std::string &keyword) const {
    for (const auto &[key, value] : params) {
        if (key == keyword) return true;
        if (key != "dbname" || (value.find('=') == std::string::npos && value.find("://") == std::string::npos)) continue;
        // A connection string or URI in dbname: look inside it.
        char *error = nullptr;
        PQconninfoOption *options = PQconninfoParse(value.c_str(), &error);
        if (error) PQfreemem(error);
        if (!options) continue;
        bool found = false;
        for (PQconninfoOption *o = options; o->keyword; ++o)
            if (o->val && keyword == o->keyword) found = true;
        PQconninfoFree(options);
        if (found) return true;
    }
    return false;
}

void resolve_run_config(RunConfig &config) {
    check_slot_name(config.slot);
    parse_table_name(config.changes_table);
    resolve_policies(config);
    config.source = resolve_conn(config.source_url, "");
    config.destination_is_source = !destination_given(config);
    config.destination = config.destination_is_source ? config.source : resolve_conn(config.destination_url, "DESTINATION_");
    log::configure(log::parse_level(config.log_level), config.log_format == "json");
    warn_password_on_command_line(config.source_url, "--source", "DB_PASSWORD");
    warn_password_on_command_line(config.destination_url, "--destination", "DESTINATION_DB_PASSWORD");
}

}  // namespace pgtrail
