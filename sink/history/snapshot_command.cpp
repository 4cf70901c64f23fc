// `pgtrail snapshot` and `pgtrail run --snapshot`: the snapshot's phases (history/snapshot/) in
// order, under SIGINT/SIGTERM handlers that stop it cleanly (a second signal exits at once).
#include "history/snapshot_command.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "history/snapshot/snapshot.h"
#include "log.h"
#include "stream/destination_session.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) {
    if (g_interrupted) std::_Exit(1);  // a second signal: leave at once
    g_interrupted = 1;
}

int take_snapshot(const RunConfig &config, bool for_run) {
    g_interrupted = 0;
    auto old_int = std::signal(SIGINT, on_signal);
    auto old_term = std::signal(SIGTERM, on_signal);
    int status = Snapshot(config, for_run, g_interrupted).run();
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    if (for_run && g_interrupted) return 1;
    return status;
}

}  // namespace

void Snapshot::check_interrupt() const {
    if (interrupted_) throw FatalError("interrupted");
}

int Snapshot::run() {
    try {
        prepare_destination();
        if (!prepare_source()) return 0;
        check_destination_encoding(repl_->get(), dest_->get());
        check_interrupt();
        create_slot();
        open_reader();
        std::vector<SourceTable> tables = list_tables();
        std::int64_t estimate = 0;
        for (const auto &t : tables) estimate += t.estimate > 0 ? t.estimate : 0;
        log::info("snapshot of " + std::to_string(tables.size()) + " tables (about " + format_count(estimate) + " rows) into " + qualified(table_) +
                  (config_.destination_is_source ? "" : " (" + config_.destination.describe() + ")"));
        SnapshotProgress progress(estimate, tables.size(), isatty(STDERR_FILENO));
        dest_->exec("BEGIN");
        copy_tables(tables, progress);
        check_interrupt();
        commit();
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", progress.seconds());
        log::info("snapshot recorded: " + format_count(progress.rows()) + " rows of " + std::to_string(tables.size()) + " tables at " +
                  consistent_point_ + " in " + seconds + " s; pgtrail run streams from there");
        return 0;
    } catch (const std::exception &error) {
        log::error(std::string(for_run_ ? "snapshot: " : "") + error.what());
        if (slot_created_) drop_slot_after_failure();
        return 1;
    }
}

int snapshot_command(const RunConfig &config) { return take_snapshot(config, false); }

int snapshot_before_run(const RunConfig &config) { return take_snapshot(config, true); }

}  // namespace pgtrail
