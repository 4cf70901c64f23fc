// The destination's rules.
#include "stream/destination_rules.h"

#include <cctype>
#include <vector>

namespace pgtrail {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); i++)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

/// The names of a standby list ("a, "b""c", *"), unquoted.
std::vector<std::string> standby_names(std::string_view list) {
    std::vector<std::string> names(1);
    bool quoted = false;
    for (std::size_t i = 0; i < list.size(); i++) {
        char c = list[i];
        if (c == '"' && quoted && i + 1 < list.size() && list[i + 1] == '"') {
            names.back() += '"';
            i++;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            names.emplace_back();
        } else if (quoted || !std::isspace(static_cast<unsigned char>(c))) {
            names.back() += c;
        }
    }
    return names;
}

}  // namespace

std::string encoding_refusal(std::string_view source, std::string_view destination) {
    if (destination == "UTF8" || destination == source) return "";
    return "the destination database's encoding is " + std::string(destination) + ", which cannot hold every character of the source's " +
           std::string(source) + " text (rows would fail or be stored garbled); create the destination database with " +
           "CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0 and point --destination at it";
}

bool synchronous_standby_matches(std::string_view names, std::string_view application_name) {
    std::string_view list = trim(names);
    // "FIRST n (...)", "ANY n (...)", "n (...)": the names are inside the parentheses.
    if (auto open = list.find('('); open != std::string_view::npos && list.find('"') > open) {
        auto close = list.rfind(')');
        list = list.substr(open + 1, close == std::string_view::npos || close < open ? std::string_view::npos : close - open - 1);
    }
    for (const auto &name : standby_names(list))
        if (name == "*" || (!name.empty() && same_ignoring_case(name, application_name))) return true;
    return false;
}

std::string destination_session_sql(bool in_source_cluster) {
    std::string sql =
        "SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 60000; "
        "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; ";
    // In the source's cluster a synchronous standby can be the sink's own walsender, which confirms
    // this COMMIT only after it returns: waiting for it would never end.
    if (in_source_cluster) return sql + "SET synchronous_commit = local";
    // Confirmed positions must be durable: never let synchronous_commit = off lose them.
    return sql + "SELECT set_config('synchronous_commit', 'local', false) WHERE current_setting('synchronous_commit') = 'off'";
}

}  // namespace pgtrail
