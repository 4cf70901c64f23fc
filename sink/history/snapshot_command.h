// `pgtrail snapshot` (and `pgtrail run --snapshot`): the initial snapshot. Creates the slot with an
// exported snapshot, reads every tracked table under it and writes each row as a SNAPSHOT row
// (the baseline), in one destination transaction that also sets the origin to the slot's
// consistent point, so the stream continues exactly where the baseline ends.
#pragma once

#include "config.h"

namespace pgtrail {

/// `pgtrail snapshot`: exit status 0 when the baseline is recorded, 1 otherwise.
int snapshot_command(const RunConfig &config);

/// `pgtrail run --snapshot`: takes the snapshot when the slot does not exist yet; returns 0 when
/// run may go on (snapshot taken, or the slot already tracked), 1 when it must not.
int snapshot_before_run(const RunConfig &config);

}  // namespace pgtrail
