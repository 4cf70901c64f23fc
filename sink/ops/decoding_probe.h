// The --plugin auto rule (stream/decoding_choice.h) on a live source, for check, setup and
// snapshot: reads the slot's plugin and output_plugin_libraries, and when that does not decide,
// tries the pgtrail plugin on a temporary slot.
#pragma once

#include <string>

#include "config.h"
#include "pg/blocking_pg.h"
#include "stream/decoding_choice.h"

namespace pgtrail {

struct DecodingProbe {
    DecodingFacts facts;
    DecodingChoice choice;
    std::string list;         ///< output_plugin_libraries as read ("" when not visible or absent)
    std::string load_error;   ///< why the temporary pgtrail slot failed, when it did
    bool load_tried = false;  ///< a temporary pgtrail slot was created (or tried)
};

/// timeout_s bounds the temporary slot's creation (it waits for running transactions).
DecodingProbe probe_decoding(BlockingPg &source, const RunConfig &config, int timeout_s);

}  // namespace pgtrail
