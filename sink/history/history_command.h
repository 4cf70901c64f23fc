// `pgtrail history <table> <key>`: the timeline of one row; `pgtrail revert`: undo a transaction
// or a context. Both read the changes table in the destination through the SQL functions of
// schema pgtrail (sql/time_travel.sql, sql/revert.sql).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pg/blocking_pg.h"
#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

struct HistoryOptions {
    std::string table;           ///< regclass text of the tracked table
    std::string key;             ///< primary_key as the changes table holds it ('42', '[1,"a"]')
    std::string color = "auto";  ///< auto (when stdout is a terminal), always, never
};

struct RevertOptions {
    std::int64_t transaction = 0;  ///< --transaction: the source xid
    std::string context;           ///< --context: a JSON object the changes' context contains
    bool dry_run = false;          ///< print the statements, change nothing
    bool force = false;            ///< revert even when later changes touched the same rows
};

void add_history_options(CLI::App &history, HistoryOptions &options);
void add_revert_options(CLI::App &revert, RevertOptions &options);

/// Exit status 0 on success, 1 on failure (the error on stderr).
int history_command(const RunConfig &config, const HistoryOptions &options);
int revert_command(const RunConfig &config, const RevertOptions &options);

/// The destination, with pgtrail.changes_table set to --changes-table for the session.
std::unique_ptr<BlockingPg> connect_changes_destination(const RunConfig &config);

/// "message" plus " (hint)" when the error has one.
std::string describe_error(const PgError &error);

}  // namespace pgtrail
