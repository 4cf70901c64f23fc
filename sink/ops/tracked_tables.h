// The tables pgtrail run tracks (its publications, else every user table; minus its table
// filters and the changes table), as check and setup see them.
#pragma once

#include <string>
#include <vector>

#include "pg/blocking_pg.h"
#include "config.h"

namespace pgtrail {

struct TrackedTable {
    std::string name;        ///< regclass text (schema-qualified when not on the search_path)
    std::string qualified;   ///< "schema"."table", always qualified
    char replident = 'd';    ///< pg_class.relreplident: d(efault) n(othing) f(ull) i(ndex)
    bool partitioned = false;
    bool partition = false;  ///< part of a partitioned table (its root is tracked too)
    bool has_primary_key = false;
};

/// Source tables in publications (all user tables when publications is empty), with their
/// partitions, filtered by run's --include-tables/--exclude-tables; changes_table (a regclass
/// text, may be empty) is left out.
std::vector<TrackedTable> tracked_tables(BlockingPg &source, const std::vector<std::string> &publications,
                                         const RunConfig &config, const std::string &changes_table);

/// The same for an explicit list of tables (regclass texts) and their partitions, unfiltered.
std::vector<TrackedTable> listed_tables(BlockingPg &source, const std::vector<std::string> &tables,
                                        const std::string &changes_table);

/// Splits a comma list (trimmed, empty items dropped).
std::vector<std::string> split_list(const std::string &list);

/// Joins items with separator.
std::string join_list(const std::vector<std::string> &items, const char *separator);

/// A SQL array literal of text values, quoted for conn: ARRAY['a','b']::text[].
std::string sql_text_array(const BlockingPg &conn, const std::vector<std::string> &values);

}  // namespace pgtrail
