// The destination's schema, versioned: the changes table (and pgtrail's bookkeeping tables)
// are built by an ordered list of migrations, each idempotent, and the version a changes
// table has reached is recorded in pgtrail.schema_version. A fresh destination and one
// written by an older pgtrail take the same path: `setup` and `run` apply what is missing.
// Pure C++: the SQL is generated here, executed by schema/migrate.h.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/schema.h"

namespace pgtrail {

/// The schema version this pgtrail writes. Version 1 is the changes table as pgtrail 0.x
/// created it before versions were recorded (a table without a record is at version 1).
inline constexpr int kSchemaVersion = 9;

struct Migration {
    int version;       ///< the version the table is at once this migration has run
    std::string what;  ///< one line for the operator ("add column lossy")
    std::string body;  ///< the statements (no BEGIN/COMMIT), ending with the version record
};

/// The destination holds a changes table of a newer schema than this pgtrail knows.
struct SchemaTooNew : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The version a changes table is at: 0 when it does not exist, the recorded one, else 1
/// (tables from before versions were recorded). Throws SchemaTooNew above kSchemaVersion.
int schema_version_of(const TableName &table, bool table_exists, std::optional<int> recorded);

/// Migrations after `from` up to kSchemaVersion, in order, for this changes table.
std::vector<Migration> migrations_after(int from, const TableName &table, const SqlQuoting &quote);

/// One row: whether the table exists, whether pgtrail.schema_version exists.
std::string schema_state_query(const TableName &table, const SqlQuoting &quote);
/// One row, one column: the recorded version of the table (no row: none recorded).
/// Only valid when pgtrail.schema_version exists.
std::string recorded_version_query(const TableName &table, const SqlQuoting &quote);

/// Version 1: the changes table and its indexes, names quoted (the former sql/changes.sql).
std::string changes_table_v1_ddl(const TableName &table, const SqlQuoting &quote);

/// A new changes table partitioned by range of committed_at (--partition-by), with its default
/// partition; created before version 1, whose CREATE ... IF NOT EXISTS then only adds the indexes.
std::string partitioned_changes_table_ddl(const TableName &table, const SqlQuoting &quote);

/// The changes table exists and is not partitioned while --partition-by asks for partitions:
/// pgtrail never converts it (setup --partition-by prints how).
struct NotPartitioned : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One row: relkind of the table ('p' partitioned, 'r' plain); no row when it does not exist.
std::string relkind_query(const TableName &table, const SqlQuoting &quote);

}  // namespace pgtrail
