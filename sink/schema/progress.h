// Where the destination keeps the sink's progress (the end LSN of the last source commit
// written), committed in the same transaction as the rows either way:
//  - a replication origin (pgtrail_<slot>): needs a superuser or GRANT EXECUTE on the
//    pg_replication_origin_* functions;
//  - else the table pgtrail.progress (created by migration 3, schema/migrations.cpp), one row
//    per origin name, for roles that may not use origins (managed services). An advisory lock held by the writer's session stands in for
//    the origin's session: one writer per slot at a time.
// Pure C++: the SQL (values quoted by the SqlQuoting of the connection it runs on), and the
// choice from what the destination says.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schema/schema.h"

namespace pgtrail {

enum class ProgressKind { origin, table };

/// "replication origin" or "table pgtrail.progress", for logs and check.
std::string progress_kind_name(ProgressKind kind);

/// One row: the role may use the origin (EXECUTE on the functions, and the origin exists or
/// the role may create it); pgtrail.progress exists; the role may read it.
std::string progress_facts_query(std::string_view origin, const SqlQuoting &quote);
/// One row, one column: true when pgtrail.progress has a row for the origin (only when it
/// exists and is readable).
std::string progress_row_query(std::string_view origin, const SqlQuoting &quote);

/// The table once it holds this slot's progress (a role that lost the origin rights, or was
/// never given them, keeps its place); else the origin when the role may use it.
ProgressKind choose_progress(bool origin_usable, bool table_has_row);

/// One value: the progress as pg_lsn text (no row or NULL: none yet).
std::string progress_read_sql(ProgressKind kind, std::string_view origin, const SqlQuoting &quote);
/// The statement recording progress inside the open transaction (before COMMIT).
std::string progress_record_sql(ProgressKind kind, std::string_view origin, std::string_view lsn,
                                std::string_view commit_time, const SqlQuoting &quote);

/// Key pair of the advisory lock a table-mode writer holds for the origin name.
std::string progress_lock_sql(std::string_view origin, const SqlQuoting &quote);
/// One value: the pid holding that lock ("" when nobody).
std::string progress_lock_holder_sql(std::string_view origin, const SqlQuoting &quote);

}  // namespace pgtrail
