// The changes table's DDL (sql/changes.sql, compiled in) for a configured table name. Pure C++.
#pragma once

#include <string>
#include <string_view>

namespace pgtrail {

/// A [schema.]table name split in two; schema empty when not given.
struct TableName {
    std::string schema;
    std::string table;
};

/// Parses --changes-table: one or two plain identifiers (letters, digits, _), lower-cased
/// as PostgreSQL would. Throws std::invalid_argument otherwise.
TableName parse_table_name(std::string_view text);

/// sql/changes.sql with "changes" replaced by the table (and its index names prefixed by it).
std::string changes_table_ddl(const TableName &name);

/// The table as a qualified SQL name ("schema.table" or "table").
std::string qualified(const TableName &name);

}  // namespace pgtrail
