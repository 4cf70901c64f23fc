// Filters over the changes table, as bound parameters.
#include "ui/change_filter.h"

#include <algorithm>
#include <regex>

namespace pgtrail::ui {

namespace {

bool all_digits(const std::string &text, std::size_t max_digits) {
    return !text.empty() && text.size() <= max_digits && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A context value that is also written as a JSON number (user_id=42 matches {"user_id": 42} too).
bool looks_numeric(const std::string &value) {
    static const std::regex number("-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,30})?");
    return std::regex_match(value, number);
}

void add_table(SqlFilter &filter, const std::string &value) {
    auto dot = value.find('.');
    if (dot == std::string::npos) {
        filter.add("\"table\" = " + filter.bind(value));
    } else {
        filter.add("schema = " + filter.bind(value.substr(0, dot)));
        filter.add("\"table\" = " + filter.bind(value.substr(dot + 1)));
    }
}

void add_operation(SqlFilter &filter, const std::string &value) {
    static const std::vector<std::string> kOperations{"CREATE", "UPDATE", "DELETE", "TRUNCATE", "SNAPSHOT"};
    if (std::find(kOperations.begin(), kOperations.end(), value) == kOperations.end())
        throw BadRequest("op must be one of CREATE, UPDATE, DELETE, TRUNCATE, SNAPSHOT");
    filter.add("operation = " + filter.bind(value));
}

void add_context_value(SqlFilter &filter, const std::string &name, const std::string &value) {
    if (name.empty()) throw BadRequest("ctx. needs a context key name, e.g. ctx.user_id=42");
    std::string key = filter.bind(name), text = filter.bind(value);
    std::string condition = "context @> jsonb_build_object(" + key + "::text, " + text + "::text)";
    // Only a value checked to be a number reaches the ::numeric cast.
    if (looks_numeric(value)) condition = "(" + condition + " OR context @> jsonb_build_object(" + key + "::text, " + text + "::numeric))";
    filter.add(condition);
}

}  // namespace

std::string SqlFilter::bind(std::string value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
}

void SqlFilter::add(const std::string &condition) {
    where = where == "true" ? condition : where + " AND " + condition;
}

Cursor parse_cursor(const std::string &text) {
    auto dot = text.find('.');
    Cursor cursor;
    if (dot != std::string::npos) cursor = {text.substr(0, dot), text.substr(dot + 1)};
    // bigint and integer ranges: at most 18 and 9 digits keep every accepted value in range.
    if (!all_digits(cursor.commit_lsn, 18) || !all_digits(cursor.ordinal, 9))
        throw BadRequest("a cursor is <commit_lsn>.<ordinal> as the API returned it");
    return cursor;
}

SqlFilter change_filter(const Target &target, const std::vector<std::string> &allowed_extra) {
    SqlFilter filter;
    for (const auto &[name, value] : target.params) {
        if (name == "table") add_table(filter, value);
        else if (name == "op") add_operation(filter, value);
        else if (name == "key") filter.add("primary_key = " + filter.bind(value));
        else if (name == "from") filter.add("committed_at >= " + filter.bind(value) + "::timestamptz");
        else if (name == "to") filter.add("committed_at < " + filter.bind(value) + "::timestamptz");
        else if (name == "tx") {
            if (!all_digits(value, 18)) throw BadRequest("tx must be a transaction id (digits)");
            filter.add("transaction_id = " + filter.bind(value) + "::bigint");
        } else if (name.rfind("ctx.", 0) == 0) add_context_value(filter, name.substr(4), value);
        else if (name == "context") filter.add("context @> " + filter.bind(value) + "::jsonb");
        else if (std::find(allowed_extra.begin(), allowed_extra.end(), name) == allowed_extra.end())
            throw BadRequest("unknown parameter (filters: table, op, key, from, to, tx, ctx.<name>, context)");
    }
    return filter;
}

int page_size(const Target &target, int fallback, int max) {
    auto text = target.get("limit");
    if (!text) return fallback;
    if (!all_digits(*text, 4) || std::stoi(*text) < 1 || std::stoi(*text) > max)
        throw BadRequest("limit must be between 1 and " + std::to_string(max));
    return std::stoi(*text);
}

}  // namespace pgtrail::ui
