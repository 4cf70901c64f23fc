// The sink must notice what it did not see: the destination records which source (system
// identifier, database) and slot each origin follows (pgtrail.sources). A missing slot while
// the destination holds progress, or another source than the recorded one, stops `run` with
// what happened and what to do; --accept-gap goes on and records the gap (pgtrail.gaps).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.h"
#include "pg/pg_connection.h"
#include "schema/progress.h"

namespace pgtrail {

/// What the source said about itself and the slot.
struct SourceIdentity {
    std::string system_identifier;
    std::string database;
    bool slot_exists = false;
};

/// What the destination recorded for the origin (pgtrail.sources).
struct RecordedSource {
    std::string system_identifier;
    std::string database;
    std::string slot;
    std::string slot_created_lsn;  ///< "" when unknown
};

/// Why the sink cannot simply go on ("" when it can). Pure: the decision, apart from I/O.
/// progress: the origin's position, 0 when nothing was recorded.
std::string gap_reason(const SourceIdentity &source, const std::optional<RecordedSource> &recorded, std::uint64_t progress,
                       const std::string &slot);

struct SourceInfo;

/// Checks the source against the destination's record, creates the slot when missing (filling
/// in source.plugin) and records the source; throws FatalError on a gap unless
/// config.accept_gap, which records the gap and moves the progress (kind) to where streaming
/// resumes. Runs before the session takes the origin or the progress lock.
asio::awaitable<void> verify_source(PgConnection &repl, PgConnection &dest, const RunConfig &config, ProgressKind kind,
                                    SourceInfo &source);

}  // namespace pgtrail
