// How a session reads its slot: the output plugin's options for START_REPLICATION and the
// decoder of what that plugin sends (decode/). A new source format is a decoder plus a case here.
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

/// The format for this configuration; changes_table is "schema.table" (skipped when it lives in the source).
SourceFormat make_source_format(const RunConfig &config, const std::string &changes_table);

}  // namespace pgtrail
