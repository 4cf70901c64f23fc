// The changes table's name, and quoting for the SQL pgtrail generates. Pure C++.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace pgtrail {

/// A [schema.]table name split in two; schema empty when not given.
struct TableName {
    std::string schema;
    std::string table;
};

/// How generated SQL quotes names and values. Built from a live connection by
/// pg/quote.h (PQescapeIdentifier, PQescapeLiteral): the one quoting path.
struct SqlQuoting {
    std::function<std::string(std::string_view)> identifier;
    std::function<std::string(std::string_view)> literal;
};

/// Parses --changes-table: one or two plain identifiers (letters, digits, _), lower-cased
/// as PostgreSQL would. Throws std::invalid_argument otherwise.
TableName parse_table_name(std::string_view text);

/// The table as a qualified SQL name for messages ("schema.table" or "table"), unquoted.
std::string qualified(const TableName &name);

/// The table as a quoted SQL name ("schema"."table" or "table").
std::string quoted(const TableName &name, const SqlQuoting &quote);

}  // namespace pgtrail
