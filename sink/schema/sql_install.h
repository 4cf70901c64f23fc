// pgtrail's SQL functions (sql/*.sql, compiled in) as installable parts, each with a marker
// function holding its hash so that an installed copy can be compared with this binary's.
#pragma once

#include <string>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>

#include "pg/pg_connection.h"
#include "schema/schema.h"

namespace pgtrail {

enum class SqlPart {
    time_travel,       ///< pgtrail_base.sql, time_travel.sql, revert.sql, erasure.sql, rewind.sql (destination)
    context,           ///< context.sql: context triggers (source)
    replica_identity,  ///< replica_identity.sql: event trigger setting REPLICA IDENTITY FULL (source)
};

/// "time travel functions", ...
const char *sql_part_title(SqlPart part);
/// The files it comes from, for messages ("sql/context.sql").
const char *sql_part_files(SqlPart part);
/// The SQL that installs the part and its marker (idempotent).
std::string sql_part_install(SqlPart part, const SqlQuoting &quote);
/// A query giving 'current', 'outdated' or 'missing' for the part in the connected database.
std::string sql_part_state_query(SqlPart part, const SqlQuoting &quote);

/// On the sink's destination at start: installs the time travel functions when missing or
/// outdated; a role not allowed to only gets a warning (the sink works without them).
asio::awaitable<void> ensure_time_travel_functions(PgConnection &dest);

}  // namespace pgtrail
