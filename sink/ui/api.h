// The JSON API's handlers: each reads a request's parameters, asks the destination through bound
// parameters only, and answers JSON built by PostgreSQL. Errors: BadRequest (400) or PgError,
// which api_errors.cpp turns into a status and a message without SQL.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "ui/db_pool.h"
#include "ui/http_query.h"

namespace pgtrail::ui {

struct Reply {
    unsigned status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiContext {
    DbPool &pool;
    std::string changes_table;  ///< quoted, for SQL
    bool allow_revert = false;
    bool revert_in_source = false;  ///< the changes live in another database: reverts run in the source (DbPool::writer)
};

using Api = boost::asio::awaitable<Reply>;

/// GET /api/feed: newest first, keyset pagination (before=<cursor>), the filters of change_filter.h.
Api feed(ApiContext &api, const Target &target);
/// GET /api/tail?after=<cursor>: changes committed after the cursor (live tail by polling).
Api tail(ApiContext &api, const Target &target);
/// GET /api/activity?bucket=minute|hour|day|week|month: counts per bucket, table and operation.
Api activity(ApiContext &api, const Target &target);
/// GET /api/timeline?table=&key=: pgtrail.history with per-column diffs.
Api timeline(ApiContext &api, const Target &target);
/// GET /api/row?table=&key=&at=: pgtrail.row_as_of.
Api row_as_of(ApiContext &api, const Target &target);
/// GET /api/transaction?id=: every change of one source transaction.
Api transaction(ApiContext &api, const Target &target);
/// GET /api/tables: the (schema, table) pairs present in changes (for the filter's choices).
Api tables(ApiContext &api, const Target &target);
/// GET /api/revert-sql?transaction=|context=|change=: the statements that undo, and the conflict if any.
Api revert_sql(ApiContext &api, const Target &target);
/// POST /api/revert (same parameters, force=true optional): applies it, only with --allow-revert.
Api revert_execute(ApiContext &api, const Target &target);
/// GET /api/config: what the page needs to know (revert allowed or not).
Api config(ApiContext &api, const Target &target);

/// The columns of a change as the API shows them (a "cursor" included).
extern const char *const kChangeColumns;

}  // namespace pgtrail::ui
