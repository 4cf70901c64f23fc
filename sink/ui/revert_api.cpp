// Reverting from the UI: the SQL that undoes a change, a transaction or a request (a context), with
// the conflict `pgtrail revert` would refuse on; and, only with --allow-revert, applying it: through
// pgtrail.revert_changes in one transaction when the changes live in the source, else planned and
// checked in the destination and run in one source transaction (the same checks and row counts).
#include <libpq-fe.h>

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


/// The changes live in the source: pgtrail.revert_changes checks and applies in one transaction.
boost::asio::awaitable<std::string> revert_in_destination(ApiContext &api, const RevertTarget &what, const std::string &force) {
    std::vector<std::string> params{what.value, force};
    std::string sql = "SELECT coalesce(json_agg(s), '[]')::text FROM pgtrail.revert_changes(" + what.ids_sql + ", $2::boolean, " +
                      what.reason_sql + ") AS s";
    auto db = co_await api.pool.writer();
    std::string begin = "BEGIN", commit = "COMMIT";
    co_await db->query(begin);
    auto result = co_await db->query_params(sql, params);  // an error leaves the transaction to the closing connection: rolled back
    co_await db->query(commit);
    co_return cell(result, 0, 0);
}

/// A refusal as pgtrail.revert_changes words it (object_in_use: 409).
PgError refused(const std::string &why, const std::string &hint) {
    return PgError("cannot revert: " + why, "55006", hint);
}

/// The plan from the destination, after the checks of pgtrail.revert_changes: erased changes,
/// later changes to the rows and values stored in a substitute form (the last two unless force).
/// Rows of (statement, expected row count), newest change first.
boost::asio::awaitable<PgResult> checked_plan(ApiContext &api, const RevertTarget &what, bool force) {
    std::vector<std::string> params{what.value};
    std::string sql = "WITH t AS (SELECT " + what.ids_sql + " AS ids), e AS (SELECT pgtrail.refuse_erased(t.ids) FROM t) "
                      "SELECT (SELECT count(*) FROM e), pgtrail.revert_conflict(t.ids), pgtrail.revert_lossy(t.ids) FROM t";
    auto db = co_await api.pool.reader();
    auto checks = co_await db->query_params(sql, params);
    if (!force && !cell(checks, 0, 1).empty())
        throw refused(cell(checks, 0, 1), "Review the SQL, then revert with force to revert anyway.");
    if (!force && !cell(checks, 0, 2).empty())
        throw refused(cell(checks, 0, 2) + "; reverting would write that form (a JSON string or a placeholder) into the source",
                      "Restore those columns by hand; force reverts anyway and writes the substitute form.");
    std::string plan = "SELECT p.statement, p.expected_rows FROM pgtrail.revert_plan(" + what.ids_sql + ") AS p";
    co_return co_await db->query_params(plan, params);
}

/// The changes live in another database: checked and planned there, run in one source transaction
/// whose changes carry {"pgtrail_revert": ...} as context; each statement must touch its row count
/// unless force (the source may hold changes the destination has not received yet).
boost::asio::awaitable<std::string> revert_in_source(ApiContext &api, const RevertTarget &what, bool force) {
    PgResult plan = co_await checked_plan(api, what, force);
    auto source = co_await api.pool.writer();
    std::string begin = "BEGIN", commit = "COMMIT";
    co_await source->query(begin);  // an error leaves the transaction to the closing connection: rolled back
    std::vector<std::string> params{what.value};
    std::string mark = "SELECT pg_logical_emit_message(true, '_bemi', jsonb_build_object('pgtrail_revert', " + what.reason_sql + ")::text)";
    co_await source->query_params(mark, params);
    std::string statements = "[";
    for (int row = 0; row < PQntuples(plan.get()); row++) {
        std::string statement = cell(plan, row, 0), expected = cell(plan, row, 1);
        auto result = co_await source->query(statement);
        std::string touched = PQcmdTuples(result.get());
        if (touched != expected && !force)
            throw refused(statement + " changed " + touched + " rows instead of " + expected,
                          "The table differs from what the changes table says: a later change may not have arrived yet.");
        statements += (row ? "," : "") + json_string(statement);
    }
    co_await source->query(commit);
    co_return statements + "]";
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
    std::string statements;
    if (api.revert_in_source) statements = co_await revert_in_source(api, what, force == "true");
    else statements = co_await revert_in_destination(api, what, force);
    log::info("ui: reverted " + what.ids_sql.substr(0, what.ids_sql.find('(')) + " " + what.value + (force == "true" ? " (forced)" : ""));
    Reply reply;
    reply.body = "{\"reverted\":true,\"statements\":" + statements + "}";
    co_return reply;
}

}  // namespace pgtrail::ui
