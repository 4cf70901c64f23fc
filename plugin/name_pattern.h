// Name lists and `*` wildcard patterns for the plugin's options: pure C++, no PostgreSQL headers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgtrail {

/// A `schema.table` pattern. Each part is a glob in which `*` matches any run of
/// characters; a `*` written inside double quotes is escaped as `\*`.
struct TablePattern {
    std::string schema;  ///< glob over the schema name ("*" when the pattern named no schema)
    std::string table;   ///< glob over the table name
};

/// How a comma list is read.
struct ListSyntax {
    bool wildcards;  ///< `*` is a wildcard (items become globs)
    bool fold_case;  ///< unquoted letters fold to lower case, as for SQL identifiers
};

/// Splits a comma list of names, honouring double quotes ("a,b" is one name, ""
/// inside quotes is a quote). Empty items are an error. Throws std::invalid_argument.
std::vector<std::string> parse_name_list(std::string_view list, ListSyntax syntax);

/// Splits a comma list of dotted patterns (wildcards on, case folded) into their parts.
/// Throws std::invalid_argument.
std::vector<std::vector<std::string>> split_dotted_items(std::string_view list);

/// Parses a comma list of `schema.table` patterns. Throws std::invalid_argument.
std::vector<TablePattern> parse_table_patterns(std::string_view list);

/// Glob match: `*` matches any run of characters, `\x` matches x literally.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

/// True when some pattern in the list matches schema.table.
bool any_table_matches(const std::vector<TablePattern> &patterns, std::string_view schema,
                       std::string_view table) noexcept;

/// True when some glob in the list matches name.
bool any_name_matches(const std::vector<std::string> &globs, std::string_view name) noexcept;

}  // namespace pgtrail
