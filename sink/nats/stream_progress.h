// Where `pgtrail write` keeps its place in the stream: pgtrail.stream_progress (migration 7),
// one row per (stream, consumer), written in the same destination transaction as the rows, so
// a writer killed at any point resumes after exactly the messages it committed. An advisory
// lock per (stream, consumer) keeps a second writer of the same consumer out. Pure C++: SQL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schema/schema.h"

namespace pgtrail {

/// One value: the stream sequence of the last message written (no row: none yet).
std::string stream_progress_read_sql(std::string_view stream, std::string_view consumer, const SqlQuoting &quote);
/// The statement recording the place inside the open transaction (before COMMIT).
std::string stream_progress_record_sql(std::string_view stream, std::string_view consumer, std::uint64_t sequence,
                                       std::uint64_t commit_lsn, const SqlQuoting &quote);
/// The name the writer's advisory lock is keyed by (schema/progress.h's lock functions).
std::string stream_lock_name(std::string_view stream, std::string_view consumer);

}  // namespace pgtrail
