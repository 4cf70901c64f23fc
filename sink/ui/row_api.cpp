// One row's life (pgtrail.history, pgtrail.row_as_of) and one source transaction.
#include "ui/api.h"
#include "ui/json_text.h"

namespace pgtrail::ui {

namespace {

std::string required(const Target &target, const char *name, const char *what) {
    auto value = target.get(name);
    if (!value || value->empty()) throw BadRequest(std::string("missing ") + name + ": " + what);
    return *value;
}

bool digits(const std::string &text) {
    return !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Api timeline(ApiContext &api, const Target &target) {
    std::vector<std::string> params{required(target, "table", "the tracked table, [schema.]name"),
                                    required(target, "key", "the row's primary_key as the feed shows it")};
    // Oldest first, each change with its diff {"col": [old, new]}, the row after it and its context.
    std::string sql =
        "SELECT coalesce(json_agg(h ORDER BY h.commit_lsn, h.ordinal), '[]')::text, "
        "pgtrail.qualified_name($1::regclass) FROM pgtrail.history($1::regclass, $2) h";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query_params(sql, params);
    Reply reply;
    std::string table = cell(result, 0, 1);
    reply.body = "{\"changes\":" + cell(result, 0, 0) + ",\"table\":" + (table.empty() ? "null" : json_string(table)) + "}";
    co_return reply;
}

Api row_as_of(ApiContext &api, const Target &target) {
    std::vector<std::string> params{required(target, "table", "the tracked table, [schema.]name"),
                                    required(target, "key", "the row's primary_key"),
                                    required(target, "at", "an instant, e.g. 2026-11-30T10:00:00Z")};
    std::string sql = "SELECT coalesce(pgtrail.row_as_of($1::regclass, $2, $3::timestamptz)::text, 'null')";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query_params(sql, params);
    Reply reply;
    reply.body = "{\"row\":" + cell(result, 0, 0) + "}";
    co_return reply;
}

Api transaction(ApiContext &api, const Target &target) {
    std::string id = required(target, "id", "the source transaction id");
    if (!digits(id)) throw BadRequest("id must be a transaction id (digits)");
    std::vector<std::string> params{id};
    // At most 10000 rows are shown; "truncated" says when there are more.
    std::string sql = "SELECT coalesce(json_agg(c ORDER BY c.commit_lsn, c.ordinal), '[]')::text, count(*) > 10000 FROM (SELECT " +
                      std::string(kChangeColumns) + " FROM " + api.changes_table +
                      " WHERE transaction_id = $1::bigint ORDER BY commit_lsn, ordinal LIMIT 10001) c";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query_params(sql, params);
    Reply reply;
    reply.body = "{\"transaction_id\":" + id + ",\"changes\":" + cell(result, 0, 0) +
                 ",\"truncated\":" + (cell(result, 0, 1) == "t" ? "true" : "false") + "}";
    co_return reply;
}

}  // namespace pgtrail::ui
