// `check --nats`: the NATS JetStream side of a scale-out (ops/check/nats_checks.cpp).
#pragma once

#include "config.h"
#include "ops/check/report.h"

namespace pgtrail {

/// The servers answer, JetStream is enabled, the stream is pgtrail's and the consumer's lag.
void check_nats_side(const RunConfig &config, CheckReport &report);

}  // namespace pgtrail
