// Which tables are tracked.
#include "ops/tracked_tables.h"

#include "name_pattern.h"

namespace pgtrail {

std::vector<std::string> split_list(const std::string &list) {
    std::vector<std::string> out;
    std::string item;
    auto flush = [&] {
        auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
        item.clear();
    };
    for (char c : list) {
        if (c == ',') flush();
        else item += c;
    }
    flush();
    return out;
}

std::string join_list(const std::vector<std::string> &items, const char *separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); i++) out += (i ? separator : "") + items[i];
    return out;
}

std::string sql_text_array(const BlockingPg &conn, const std::vector<std::string> &values) {
    std::string out = "ARRAY[";
    for (std::size_t i = 0; i < values.size(); i++) out += (i ? "," : "") + conn.literal(values[i]);
    return out + "]::text[]";
}

namespace {

/// User tables (and partitions) matching condition (SQL over pg_class c), with their root's name.
std::vector<std::vector<std::string>> table_rows(BlockingPg &source, const std::string &condition,
                                                 const std::string &changes_table) {
    std::string sql =
        "SELECT c.oid::regclass::text, format('%I.%I', n.nspname, c.relname), c.relreplident, c.relkind = 'p', "
        "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), n.nspname, c.relname, "
        "rn.nspname, r.relname "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_class r ON r.oid = coalesce(pg_partition_root(c.oid), c.oid) JOIN pg_namespace rn ON rn.oid = r.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgtrail') AND n.nspname !~ '^pg_' "
        "AND c.oid IS DISTINCT FROM to_regclass(nullif(" + source.literal(changes_table) + ", '')) AND " + condition +
        " ORDER BY 2";
    return source.rows(sql);
}

TrackedTable to_table(const std::vector<std::string> &row) {
    TrackedTable t;
    t.name = row[0];
    t.qualified = row[1];
    t.replident = row[2].empty() ? 'd' : row[2][0];
    t.partitioned = row[3] == "t";
    t.has_primary_key = row[4] == "t";
    t.partition = row[5] != row[7] || row[6] != row[8];
    return t;
}

}  // namespace

std::vector<TrackedTable> listed_tables(BlockingPg &source, const std::vector<std::string> &tables,
                                        const std::string &changes_table) {
    std::vector<TrackedTable> out;
    if (tables.empty()) return out;
    // pg_partition_ancestors() returns nothing for a table outside any partition tree.
    std::string condition = "EXISTS (SELECT 1 FROM (SELECT c.oid::regclass AS relid UNION SELECT relid FROM pg_partition_ancestors(c.oid)) a "
                            "WHERE a.relid = ANY (" + sql_text_array(source, tables) + "::regclass[]))";
    for (const auto &row : table_rows(source, condition, changes_table)) out.push_back(to_table(row));
    return out;
}

std::vector<TrackedTable> tracked_tables(BlockingPg &source, const std::vector<std::string> &publications,
                                         const RunConfig &config, const std::string &changes_table) {
    std::string in_publications =
        publications.empty()
            ? "true"
            : "EXISTS (SELECT 1 FROM (SELECT c.oid::regclass AS relid UNION SELECT relid FROM pg_partition_ancestors(c.oid)) a "
              "JOIN pg_class ac ON ac.oid = a.relid JOIN pg_namespace an ON an.oid = ac.relnamespace "
              "JOIN pg_publication_tables pt ON pt.schemaname = an.nspname AND pt.tablename = ac.relname "
              "WHERE pt.pubname = ANY (" + sql_text_array(source, publications) + "))";
    std::vector<TablePattern> include, exclude;
    if (!config.include_tables.empty()) include = parse_table_patterns(config.include_tables);
    if (!config.exclude_tables.empty()) exclude = parse_table_patterns(config.exclude_tables);
    std::vector<TrackedTable> out;
    for (const auto &row : table_rows(source, in_publications, changes_table)) {
        auto matches = [&](const std::vector<TablePattern> &patterns) {
            return any_table_matches(patterns, row[5], row[6]) || any_table_matches(patterns, row[7], row[8]);
        };
        if (!include.empty() && !matches(include)) continue;
        if (!exclude.empty() && matches(exclude)) continue;
        out.push_back(to_table(row));
    }
    return out;
}

}  // namespace pgtrail
