// setup --partition-by on an existing unpartitioned changes table: pgtrail never converts it
// by itself; setup prints the statements that do, with the table's own index names.
#pragma once

#include <string>

#include "pg/blocking_pg.h"
#include "schema/schema.h"

namespace pgtrail {

/// The conversion script for table (which exists, unpartitioned) into day or month partitions.
std::string partition_conversion_script(BlockingPg &dest, const TableName &table, const std::string &unit);

}  // namespace pgtrail
