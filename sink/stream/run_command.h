// `pgtrail run`: sessions in a reconnect loop with capped exponential backoff, stopped by SIGINT/SIGTERM.
#pragma once

#include "config.h"

namespace pgtrail {

/// Runs until stopped (returns 0) or a configuration problem (returns 1).
int run_command(const RunConfig &config);

/// `pgtrail run --nats`: the same loop around reader sessions (nats/reader_session.h).
int run_reader_command(const RunConfig &config);

/// `pgtrail write`: the same loop around writer sessions (nats/writer_session.h), without the source monitor.
int run_writer_command(const RunConfig &config);

}  // namespace pgtrail
