// `pgtrail check`: connects with run's settings and reports, one line per item (ok / warn /
// FAIL), whether pgtrail can work, with the SQL or setting that fixes each problem.
#pragma once

#include <cstdint>
#include <string>

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

struct CheckOptions {
    std::string format = "text";                          ///< text or json
    int decode_timeout_s = 20;                            ///< the temporary slot's creation and decoding
    std::uint64_t retained_wal_warn = 1024ull << 20;      ///< warn when the slot retains more WAL
    std::string standby;                                  ///< --standby: with --failover, the standby to check
};

void add_check_options(CLI::App &check, CheckOptions &options);

/// Exit status: 0 when nothing failed, 1 otherwise.
int check_command(const RunConfig &config, const CheckOptions &options);

}  // namespace pgtrail
