// Command line and environment.
#include "config.h"

#include <cstdlib>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <libpq-fe.h>

#include "log.h"
#include "schema/schema.h"

namespace pgtrail {

namespace {

/// Every change of a transaction carries its context: keep COPY rows far from PostgreSQL's 1 GB limit.
constexpr std::size_t kMaxContextBytesLimit = 64 * 1024 * 1024;

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

void add_run_options(CLI::App &run, RunConfig &c) {
    run.add_option("--source", c.source_url,
                   "Source database: a libpq connection string or URI (default: DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD, then PG* variables)");
    run.add_option("--destination", c.destination_url,
                   "Destination database for the changes table (default: DESTINATION_DB_* variables, else the source)");
    run.add_option("--slot", c.slot, "Logical replication slot (created with the pgtrail plugin when missing)")->capture_default_str();
    run.add_option("--publication", c.publication, "Only track tables in these publications (comma list)");
    run.add_option("--include-tables", c.include_tables, "Only track these tables (comma list of schema.table patterns, * wildcards)");
    run.add_option("--exclude-tables", c.exclude_tables, "Never track these tables (comma list of schema.table patterns)");
    run.add_option("--exclude-origins", c.exclude_origins, "Skip transactions replayed under these replication origins")->capture_default_str();
    run.add_option("--changes-table", c.changes_table, "Table the changes go to: [schema.]name")->capture_default_str();
    run.add_option("--context-prefixes", c.context_prefixes, "Logical message prefixes carrying context (comma list)")
        ->delimiter(',')->capture_default_str();
    run.add_option("--max-context-bytes", c.max_context_bytes,
                   "Larger context messages are stored truncated to this size as {\"_raw\": ...}")
        ->capture_default_str()->check(CLI::Range(std::size_t{1}, kMaxContextBytesLimit));
    run.add_option("--batch-size", c.batch_size, "Commit the destination after about this many changes")->capture_default_str()->check(CLI::PositiveNumber);
    run.add_option("--batch-time-ms", c.batch_time_ms, "Commit the destination when the oldest uncommitted change is this old")
        ->capture_default_str()->check(CLI::PositiveNumber);
    run.add_option("--status-interval", c.status_interval_s, "Seconds between standby status updates at most")->capture_default_str()->check(CLI::Range(1, 3600));
    run.add_option("--stats-interval", c.stats_interval_s, "Seconds between batch statistics in the log")->capture_default_str()->check(CLI::Range(1, 86400));
    run.add_option("--receive-timeout", c.receive_timeout_s,
                   "Seconds of silence from the source (asked for a keepalive at half) before reconnecting, like wal_receiver_timeout")
        ->capture_default_str()->check(CLI::Range(2, 3600));
    run.add_option("--max-backoff", c.max_backoff_s, "Cap in seconds of the reconnect delay")->capture_default_str()->check(CLI::Range(1, 3600));
    run.add_option("--log-level", c.log_level, "debug, info, warn or error")->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}));
    run.add_option("--log-format", c.log_format, "text or json")->capture_default_str()->check(CLI::IsMember({"text", "json"}));
}

void resolve_run_config(RunConfig &config) {
    check_slot_name(config.slot);
    parse_table_name(config.changes_table);
    config.source = resolve_conn(config.source_url, "");
    config.destination_is_source = !destination_given(config);
    config.destination = config.destination_is_source ? config.source : resolve_conn(config.destination_url, "DESTINATION_");
    log::configure(log::parse_level(config.log_level), config.log_format == "json");
}

}  // namespace pgtrail
