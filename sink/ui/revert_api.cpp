// Reverting from the UI: the SQL that undoes a change, a transaction or a request (a context), with
// the conflict `pgtrail revert` would refuse on; and, only with --allow-revert, applying it through
// pgtrail.revert_changes (the same conflict check and row counts as `pgtrail revert`).
#include "log.h"
#include "ui/api.h"
#include "ui/json_text.h"

namespace pgtrail::ui {

namespace {

/// What to undo, as an SQL expression of uuid[] over $1, and a description for the log and the audit trail.
struct RevertTarget {
    std::string ids_sql;
    std::string value;
    std::string reason_sql;  ///< jsonb recorded in the reverting changes' context (pgtrail_revert)
};

RevertTarget revert_target(const Target &target) {
    int given = 0;
    RevertTarget out;
    if (auto id = target.get("transaction")) {
        if (id->empty() || id->size() > 18 || id->find_first_not_of("0123456789") != std::string::npos)
            throw BadRequest("transaction must be a transaction id (digits)");
        out = {"pgtrail.transaction_changes($1::bigint)", *id, "jsonb_build_object('transaction_id', $1::bigint)"};
        given++;
    }
    if (auto context = target.get("context")) {
        out = {"pgtrail.context_changes($1::jsonb)", *context, "jsonb_build_object('context', $1::jsonb)"};
        given++;
    }
    if (auto change = target.get("change")) {
        out = {"ARRAY[$1::uuid]", *change, "jsonb_build_object('change_id', $1::uuid)"};
        given++;
    }
    if (given != 1) throw BadRequest("give exactly one of transaction=<id>, context=<JSON object>, change=<change id>");
    return out;
}

}  // namespace

Api revert_sql(ApiContext &api, const Target &target) {
    RevertTarget what = revert_target(target);
    std::vector<std::string> params{what.value};
    std::string sql = "WITH t AS (SELECT " + what.ids_sql + " AS ids) "
                      "SELECT (SELECT coalesce(json_agg(p.statement ORDER BY p.n), '[]')::text "
                      "        FROM t, pgtrail.revert_plan(t.ids) WITH ORDINALITY AS p(statement, expected_rows, n)), "
                      "       (SELECT pgtrail.revert_conflict(t.ids) FROM t)";
    auto db = co_await api.pool.reader();
    auto result = co_await db->query_params(sql, params);
    std::string conflict = cell(result, 0, 1);
    Reply reply;
    reply.body = "{\"statements\":" + cell(result, 0, 0) + ",\"conflict\":" + (conflict.empty() ? "null" : json_string(conflict)) +
                 ",\"allow_revert\":" + (api.allow_revert ? "true" : "false") + "}";
    co_return reply;
}

Api revert_execute(ApiContext &api, const Target &target) {
    if (!api.allow_revert) {
        Reply refused{403, "application/json; charset=utf-8", json_error("reverting is off: start pgtrail ui with --allow-revert"), {}};
        co_return refused;
    }
    RevertTarget what = revert_target(target);
    std::string force = target.get("force").value_or("false");
    if (force != "true" && force != "false") throw BadRequest("force must be true or false");
    std::vector<std::string> params{what.value, force};
    std::string sql = "SELECT coalesce(json_agg(s), '[]')::text FROM pgtrail.revert_changes(" + what.ids_sql + ", $2::boolean, " +
                      what.reason_sql + ") AS s";
    auto db = co_await api.pool.writer();
    std::string begin = "BEGIN", commit = "COMMIT";
    co_await db->query(begin);
    auto result = co_await db->query_params(sql, params);  // an error leaves the transaction to the closing connection: rolled back
    co_await db->query(commit);
    log::info("ui: reverted " + what.ids_sql.substr(0, what.ids_sql.find('(')) + " " + what.value + (force == "true" ? " (forced)" : ""));
    Reply reply;
    reply.body = "{\"reverted\":true,\"statements\":" + cell(result, 0, 0) + "}";
    co_return reply;
}

}  // namespace pgtrail::ui
