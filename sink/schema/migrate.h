// Running the migrations (schema/migrations.h) on a destination: `run` at every start,
// `setup` as planned steps.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>

#include "pg/blocking_pg.h"
#include "pg/pg_connection.h"
#include "schema/migrations.h"

namespace pgtrail {

/// Reads the table's version on the destination.
asio::awaitable<int> read_schema_version(PgConnection &dest, const TableName &table);

/// Applies the missing migrations, each in its own transaction, logging each. Returns the
/// version the table was at. Throws PgError when one fails (rolled back).
/// partitioned (--partition-by): a missing table is created partitioned by committed_at; an
/// existing plain one is refused with NotPartitioned (never converted).
asio::awaitable<int> migrate_changes_table(PgConnection &dest, const TableName &table, bool partitioned = false);

/// The same on a blocking connection (setup, snapshot).
int read_schema_version(BlockingPg &dest, const TableName &table);
int migrate_changes_table(BlockingPg &dest, const TableName &table, bool partitioned = false);

/// What NotPartitioned says: the table, and where to read how to convert it.
std::string not_partitioned_message(const TableName &table);

}  // namespace pgtrail
