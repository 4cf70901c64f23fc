// The source side: a replication connection creates the slot with an exported snapshot (refusing a
// slot or origin that already has a history), a reader imports the snapshot, and after a failure
// the slot is dropped so that the snapshot can be run again.
#include "history/snapshot/snapshot.h"

#include "json_escape.h"
#include "log.h"
#include "pg/copy_text.h"
#include "pg/quote.h"
#include "stream/failover_slot.h"
#include "stream/server_setup.h"

namespace pgtrail {

bool Snapshot::prepare_source() {
    try {
        repl_ = std::make_unique<BlockingPg>(config_.source, std::vector<std::pair<std::string, std::string>>{{"replication", "database"}});
    } catch (const PgError &error) {
        throw FatalError("cannot open a replication connection to the source (" + config_.source.describe() + "): " + error.what());
    }
    database_ = cell(repl_->exec("IDENTIFY_SYSTEM"), 0, 3);
    if (database_.empty()) throw FatalError("the source connection is not attached to a database; give one with DB_NAME or dbname=");
    std::string level = repl_->value("SHOW wal_level");
    if (level != "logical")
        throw FatalError("wal_level is " + level + " but pgtrail needs logical decoding; run: ALTER SYSTEM SET wal_level = logical; then restart the server");
    bool slot_exists = repl_->value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = " + repl_->literal(config_.slot)) != "0";
    if (slot_exists && !origin_progress_.empty() && for_run_) {
        log::info("replication slot " + config_.slot + " exists and is tracked from " + origin_progress_ + ": no snapshot to take");
        return false;
    }
    refuse_existing_slot_or_origin(slot_exists);
    hold_origin();
    return true;
}

void Snapshot::refuse_existing_slot_or_origin(bool slot_exists) {
    std::string slot = dest_->literal(config_.slot);
    if (slot_exists && !origin_progress_.empty())
        throw FatalError("replication slot " + config_.slot + " already exists and is tracked from " + origin_progress_ +
                         "; the initial snapshot is taken when the slot is created: to start over, run pgtrail teardown (drops the slot and the origin), then pgtrail snapshot");
    if (slot_exists)
        throw FatalError("replication slot " + config_.slot + " exists but nothing has been recorded from it yet (an interrupted pgtrail snapshot, "
                         "or a slot created by pgtrail setup or run: use pgtrail setup --no-slot before a snapshot), so a baseline can no longer be taken at its starting point; drop it with: SELECT pg_drop_replication_slot(" +
                         slot + "); then run pgtrail snapshot again (or pgtrail run without --snapshot to track without a baseline)");
    if (!origin_progress_.empty())
        throw FatalError(progress_kind_name(progress_) + " " + config_.origin_name() + " in the destination has progress " + origin_progress_ +
                         " from an earlier slot; drop it with: " +
                         (progress_ == ProgressKind::origin ? "SELECT pg_replication_origin_drop(" + dest_->literal(config_.origin_name()) + ");"
                                                           : "DELETE FROM pgtrail.progress WHERE origin = " + dest_->literal(config_.origin_name()) + ";") +
                         " (pgtrail teardown drops both) and try again");
}

void Snapshot::hold_origin() {
    // Hold the origin (or the progress lock) for the whole snapshot: a pgtrail run started meanwhile waits (it retries).
    if (progress_ == ProgressKind::table) {
        if (dest_->value(progress_lock_sql(config_.origin_name(), sql_quoting(dest_->get()))) != "t")
            throw FatalError("the progress lock of " + config_.origin_name() + " is held by backend " +
                             dest_->value(progress_lock_holder_sql(config_.origin_name(), sql_quoting(dest_->get()))) +
                             "; is a pgtrail run or snapshot using it? stop it first");
        return;
    }
    try {
        dest_->exec("SELECT pg_replication_origin_session_setup(" + dest_->literal(config_.origin_name()) + ")");
    } catch (const PgError &error) {
        throw FatalError("cannot use replication origin " + config_.origin_name() + " (" + error.what() +
                         "); is a pgtrail run or snapshot using it? stop it first");
    }
}

void Snapshot::create_slot() {
    // The baseline's committed_at: the source's clock before the slot exists, so that no streamed
    // change (all commit after the consistent point) has an earlier commit time.
    std::string micros = repl_->value("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
    committed_at_ = format_utc_timestamp(std::stoll(micros));
    queued_at_ = format_utc_timestamp(now_unix_micros());
    std::string unsupported = failover_unsupported(config_, std::stoi(repl_->value("SHOW server_version_num")));
    if (!unsupported.empty()) throw FatalError(unsupported);
    std::string failover = failover_slot_option(config_);
    // --plugin pgoutput: the slot the run after the snapshot decodes with (auto keeps pgtrail, as before).
    std::string plugin = config_.plugin == "pgoutput" ? "pgoutput" : "pgtrail";
    PgResult created;
    try {
        created = repl_->exec("CREATE_REPLICATION_SLOT " + repl_->ident(config_.slot) + " LOGICAL " + plugin + " (SNAPSHOT 'export'" +
                              (failover.empty() ? "" : ", " + failover) + ")");
    } catch (const PgError &error) {
        if (error.sqlstate == "42710")
            throw FatalError("replication slot " + config_.slot + " was created meanwhile by another process; stop it, drop the slot and try again");
        explain_start_error(error);
    }
    slot_created_ = true;
    consistent_point_ = cell(created, 0, 1);
    snapshot_name_ = cell(created, 0, 2);
    if (!parse_lsn(consistent_point_.data(), consistent_point_.size(), &consistent_lsn_) || snapshot_name_.empty())
        throw FatalError("unexpected answer to CREATE_REPLICATION_SLOT: consistent point '" + consistent_point_ + "', snapshot '" + snapshot_name_ + "'");
    log::info("created replication slot " + config_.slot + " (plugin " + plugin + (config_.failover ? ", failover)" : ")") + " at " + consistent_point_ + " with snapshot " + snapshot_name_);
}

void Snapshot::open_reader() {
    try {
        reader_ = std::make_unique<BlockingPg>(config_.source);
    } catch (const PgError &error) {
        throw FatalError("cannot connect to the source (" + config_.source.describe() + "): " + error.what());
    }
    reader_->exec("SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0");
    reader_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    reader_->exec("SET TRANSACTION SNAPSHOT " + reader_->literal(snapshot_name_));
}

void Snapshot::drop_slot_after_failure() {
    reader_.reset();
    repl_.reset();  // ends the snapshot's export
    if (committing_) {
        log::error("the destination failed while committing the baseline: it may or may not be recorded; check " +
                   progress_read_sql(progress_, config_.origin_name(), sql_quoting(dest_->get())) + " before dropping replication slot " + config_.slot);
        return;
    }
    try {
        BlockingPg source(config_.source);
        source.exec("SELECT pg_drop_replication_slot(" + source.literal(config_.slot) + ")");
        log::info("dropped replication slot " + config_.slot + ": nothing was recorded; run the snapshot again");
    } catch (const std::exception &error) {
        log::error("could not drop replication slot " + config_.slot + " (" + error.what() + "); drop it with: SELECT pg_drop_replication_slot(" +
                   dest_->literal(config_.slot) + "); before running the snapshot again");
    }
}

}  // namespace pgtrail
