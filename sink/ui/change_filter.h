// The filters of the feed, the export and the activity chart, turned into a WHERE clause whose
// every value is a bound parameter ($1, $2, ...): nothing from the request is spliced into SQL.
//   table=[schema.]name  op=CREATE|UPDATE|DELETE|TRUNCATE|SNAPSHOT  key=<primary_key>
//   from=<timestamptz>  to=<timestamptz>  tx=<transaction id>  ctx.<name>=<value>  context=<JSON object>
#pragma once

#include <string>
#include <vector>

#include "ui/http_query.h"

namespace pgtrail::ui {

/// A WHERE clause ("true" when nothing is filtered) and its parameters, in order.
struct SqlFilter {
    std::string where = "true";
    std::vector<std::string> params;

    /// Adds a parameter; returns its placeholder ("$3").
    std::string bind(std::string value);
    /// ANDs a condition to the clause.
    void add(const std::string &condition);
};

/// A position in commit order: (commit_lsn, ordinal), written "<commit_lsn>.<ordinal>" in the API.
struct Cursor {
    std::string commit_lsn;
    std::string ordinal;
};
/// Parses "123.4"; throws BadRequest for anything else.
Cursor parse_cursor(const std::string &text);

/// The filter from a request's parameters; throws BadRequest for an unknown parameter (outside
/// `allowed_extra`) or a value that cannot be right (bad operation, non-numeric transaction id).
SqlFilter change_filter(const Target &target, const std::vector<std::string> &allowed_extra);

/// The "limit" parameter: 1..max, default `fallback`; throws BadRequest otherwise.
int page_size(const Target &target, int fallback, int max);

}  // namespace pgtrail::ui
