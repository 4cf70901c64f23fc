#include "ops/setup/partition_conversion.h"

#include "pg/quote.h"

namespace pgtrail {

std::string partition_conversion_script(BlockingPg &dest, const TableName &table, const std::string &unit) {
    SqlQuoting quote = sql_quoting(dest.get());
    std::string name = quoted(table, quote);
    std::string old_table = table.table + "_unpartitioned";
    TableName old_name{table.schema, old_table};
    std::string script =
        "-- " + qualified(table) + " is not partitioned, and pgtrail never converts a changes table by itself.\n"
        "-- To convert it (stop pgtrail run first; the copy needs time and room proportional to the table):\n"
        "BEGIN;\n"
        "ALTER TABLE " + name + " RENAME TO " + quote.identifier(old_table) + ";\n";
    // Its indexes keep their names, which the new table's take: rename them too (constraints follow).
    auto indexes = dest.rows("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass(" +
                             quote.literal(name) + ") ORDER BY c.relname");
    for (const auto &row : indexes) {
        TableName index{table.schema, row[0]};
        script += "ALTER INDEX " + quoted(index, quote) + " RENAME TO " + quote.identifier(row[0] + "_unpartitioned") + ";\n";
    }
    script += "COMMIT;\n"
              "-- Then create the partitioned table: pgtrail setup --partition-by " + unit + " --changes-table " + qualified(table) + "\n"
              "-- Then copy the rows, with partitions for their whole range (COPY order: same columns):\n"
              "BEGIN;\n"
              "SELECT pgtrail.create_partitions(" + quote.literal(name) + "::regclass, " + quote.literal(unit) +
              ", 3, (SELECT min(committed_at) FROM " + quoted(old_name, quote) + "));\n"
              "INSERT INTO " + name + " SELECT * FROM " + quoted(old_name, quote) + ";\n"
              "COMMIT;\n"
              "-- Compare the counts, DROP TABLE " + quoted(old_name, quote) + "; and start pgtrail run --partition-by " + unit + ".\n";
    return script;
}

}  // namespace pgtrail
