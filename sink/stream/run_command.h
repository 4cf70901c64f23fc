// `pgtrail run`: sessions in a reconnect loop with capped exponential backoff, stopped by SIGINT/SIGTERM.
#pragma once

#include "config.h"

namespace pgtrail {

/// Runs until stopped (returns 0) or a configuration problem (returns 1).
int run_command(const RunConfig &config);

}  // namespace pgtrail
