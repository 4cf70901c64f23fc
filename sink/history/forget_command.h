// `pgtrail forget <table> <key>`: erases one row's values from every change recorded for it
// (sql/erasure.sql, pgtrail.forget), in one destination transaction, logged in pgtrail.erasures.
#pragma once

#include <string>

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

struct ForgetOptions {
    std::string table;     ///< regclass text of the tracked table
    std::string key;       ///< the row's key ('42', '[1,"a"]')
    bool with_key = false; ///< erase the key too (primary_key becomes NULL, the log does not name it)
    std::string reason;    ///< kept in pgtrail.erasures
};

void add_forget_options(CLI::App &forget, ForgetOptions &options);

/// Exit status 0 when erased (or nothing was recorded), 1 on failure (the error on stderr).
int forget_command(const RunConfig &config, const ForgetOptions &options);

}  // namespace pgtrail
