// The feed, the live tail and the activity counts.
#include <algorithm>

#include "ui/api.h"
#include "ui/change_filter.h"

namespace pgtrail::ui {

namespace asio = boost::asio;

const char *const kChangeColumns =
    "id, schema, \"table\", operation, primary_key, committed_at, transaction_id, commit_lsn, ordinal, "
    "commit_lsn || '.' || ordinal AS cursor, context, before, after, unchanged";

namespace {

/// One page as {"changes": [...newest first], "next": cursor|null, "newest": cursor|null}.
/// `ascending` reads forward from a cursor (the tail); the page is still shown newest first.
asio::awaitable<Reply> page(ApiContext &api, const std::string &where, const std::vector<std::string> &params, int limit, bool ascending) {
    std::string order = ascending ? "commit_lsn, ordinal" : "commit_lsn DESC, ordinal DESC";
    std::string sql =
        "SELECT coalesce(json_agg(c ORDER BY c.commit_lsn DESC, c.ordinal DESC), '[]')::text, count(*), "
        "(array_agg(c.cursor ORDER BY c.commit_lsn, c.ordinal))[1], (array_agg(c.cursor ORDER BY c.commit_lsn DESC, c.ordinal DESC))[1] "
        "FROM (SELECT " + std::string(kChangeColumns) + " FROM " + api.changes_table + " WHERE " + where +
        " ORDER BY " + order + " LIMIT " + std::to_string(limit) + ") c";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query_params(sql, params);
    bool full = cell(result, 0, 1) == std::to_string(limit);
    std::string oldest = cell(result, 0, 2), newest = cell(result, 0, 3);
    auto quoted = [](const std::string &cursor) { return cursor.empty() ? std::string("null") : "\"" + cursor + "\""; };
    Reply reply;
    // Cursors are digits and a dot (parse_cursor's form): safe inside quotes.
    reply.body = "{\"changes\":" + cell(result, 0, 0) + ",\"next\":" + (full && !ascending ? quoted(oldest) : "null") +
                 ",\"newest\":" + quoted(newest) + ",\"more\":" + (full ? "true" : "false") + "}";
    co_return reply;
}

}  // namespace

Api feed(ApiContext &api, const Target &target) {
    SqlFilter filter = change_filter(target, {"before", "limit"});
    int limit = page_size(target, 50, 500);
    if (auto before = target.get("before")) {
        Cursor cursor = parse_cursor(*before);
        filter.add("(commit_lsn, ordinal) < (" + filter.bind(cursor.commit_lsn) + "::bigint, " + filter.bind(cursor.ordinal) + "::integer)");
    }
    co_return co_await page(api, filter.where, filter.params, limit, false);
}

Api tail(ApiContext &api, const Target &target) {
    SqlFilter filter = change_filter(target, {"after", "limit"});
    int limit = page_size(target, 200, 500);
    auto after = target.get("after");
    if (!after) throw BadRequest("tail needs after=<cursor> (the newest cursor the page has)");
    Cursor cursor = parse_cursor(*after);
    filter.add("(commit_lsn, ordinal) > (" + filter.bind(cursor.commit_lsn) + "::bigint, " + filter.bind(cursor.ordinal) + "::integer)");
    co_return co_await page(api, filter.where, filter.params, limit, true);
}

Api activity(ApiContext &api, const Target &target) {
    SqlFilter filter = change_filter(target, {"bucket"});
    std::string bucket = target.get("bucket").value_or("hour");
    static const std::vector<std::string> kBuckets{"minute", "hour", "day", "week", "month"};
    if (std::find(kBuckets.begin(), kBuckets.end(), bucket) == kBuckets.end())
        throw BadRequest("bucket must be minute, hour, day, week or month");
    std::string unit = filter.bind(bucket);
    std::string sql =
        "SELECT coalesce(json_agg(a ORDER BY a.bucket, a.schema, a.\"table\", a.operation), '[]')::text FROM ("
        "SELECT date_trunc(" + unit + ", committed_at) AS bucket, schema, \"table\", operation, count(*) AS count FROM " +
        api.changes_table + " WHERE " + filter.where + " GROUP BY 1, 2, 3, 4) a";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query_params(sql, filter.params);
    Reply reply;
    reply.body = "{\"bucket\":\"" + bucket + "\",\"counts\":" + cell(result, 0, 0) + "}";
    co_return reply;
}

Api tables(ApiContext &api, const Target &) {
    // Distinct (schema, table) by a loose index scan over the (schema, table, primary_key, committed_at) index.
    std::string sql =
        "WITH RECURSIVE t AS ("
        " (SELECT schema, \"table\" FROM " + api.changes_table + " ORDER BY schema, \"table\" LIMIT 1)"
        " UNION ALL SELECT n.schema, n.\"table\" FROM t, LATERAL (SELECT schema, \"table\" FROM " + api.changes_table +
        " WHERE (schema, \"table\") > (t.schema, t.\"table\") ORDER BY schema, \"table\" LIMIT 1) n)"
        " SELECT coalesce(json_agg(t ORDER BY schema, \"table\"), '[]')::text FROM t";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query(sql);
    Reply reply;
    reply.body = "{\"tables\":" + cell(result, 0, 0) + "}";
    co_return reply;
}

Api config(ApiContext &api, const Target &) {
    Reply reply;
    reply.body = std::string("{\"allow_revert\":") + (api.allow_revert ? "true" : "false") + "}";
    co_return reply;
}

}  // namespace pgtrail::ui
