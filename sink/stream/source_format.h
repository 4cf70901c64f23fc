// How a session reads its slot: the output plugin's options for START_REPLICATION, the
// settings its walsender renders values with, and the decoder of what that plugin sends
// (decode/). A new source format is a decoder plus a case here.
#pragma once

#include <memory>
#include <string>

#include "config.h"
#include "decode/events.h"

namespace pgtrail {

struct SourceFormat {
    std::string start_options;         ///< the option list of START_REPLICATION ... LOGICAL lsn (...)
    std::unique_ptr<Decoder> decoder;
};

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
