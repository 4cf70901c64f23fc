// How a session reads its slot: the output plugin's options for START_REPLICATION, the
// settings its walsender renders values with, and the decoder of what that plugin sends
// (decode/). A new source format is a decoder plus a case here.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config.h"
#include "decode/events.h"

namespace pgtrail {

struct SourceFormat {
    std::string start_options;         ///< the option list of START_REPLICATION ... LOGICAL lsn (...)
    std::unique_ptr<Decoder> decoder;
    /// The options for a pgtrail plugin older than max-message-bytes, which refuses it (huge records
    /// then arrive in one message); nullopt when there is nothing to fall back to.
    std::optional<std::string> legacy_options = std::nullopt;
};

/// The largest message the sink asks the pgtrail plugin for: a longer record comes in pieces
/// (docs/FORMAT.md), so libpq's input buffer, which never shrinks, holds at most this much.
inline constexpr int kMaxMessageBytes = 1024 * 1024;

/// True when START_REPLICATION failed because the plugin does not know max-message-bytes (its
/// error names the option: pgtrail before it refused every option it did not know).
bool plugin_predates_pieces(const std::string &start_error);

/// SET commands run on the replication connection before START_REPLICATION: values' text output
/// (pgoutput's rows, the plugin's intervals, bytea and floats) as to_jsonb renders it in a default
/// session, whatever the server's defaults. TimeZone stays the server's: timestamptz values render
/// in it on both paths, as docs/FORMAT.md says.
inline constexpr const char *kDecodingSettings =
    "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3; SET bytea_output = hex";

/// The format for this configuration and the slot's plugin (pgtrail or pgoutput); changes_table
/// is "schema.table" (skipped when it lives in the source).
SourceFormat make_source_format(const RunConfig &config, const std::string &changes_table, const std::string &plugin);

}  // namespace pgtrail
