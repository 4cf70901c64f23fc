// The destination before the snapshot: the changes table, the time travel functions and the
// replication origin, and the origin's progress (which must be empty for a new baseline).
#include "history/snapshot/snapshot.h"

#include "log.h"
#include "pg/quote.h"
#include "schema/migrate.h"
#include "schema/sql_install.h"
#include "stream/destination_rules.h"
#include "stream/destination_session.h"
#include "stream/server_setup.h"

namespace pgtrail {

void Snapshot::prepare_destination() {
    try {
        dest_ = std::make_unique<BlockingPg>(config_.destination,
                                             destination_connect_params(config_.destination, "pgtrail snapshot " + config_.slot));
    } catch (const PgError &error) {
        throw FatalError(destination_connect_failure(config_.destination, error));
    }
    table_ = parse_table_name(config_.changes_table);
    std::string name = dest_->literal(quoted(table_, sql_quoting(dest_->get())));
    try {
        migrate_changes_table(*dest_, table_, !config_.partition_by.empty());
    } catch (const SchemaTooNew &error) {
        throw FatalError(error.what());
    } catch (const NotPartitioned &error) {
        throw FatalError(error.what());
    } catch (const PgError &error) {
        throw FatalError("cannot create or migrate the changes table " + qualified(table_) + ": " + error.what() +
                         (error.sqlstate == "42501" ? "; run pgtrail setup as its owner" : ""));
    }
    table_.schema = dest_->value("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(" + name + ")");
    install_time_travel();
    prepare_origin();
    // A snapshot's own slot has no walsender streaming, so only a destination that is the source
    // database itself is treated as the source's cluster here.
    dest_->exec(destination_session_sql(config_.destination_is_source));
}

void Snapshot::install_time_travel() {
    if (dest_->value(sql_part_state_query(SqlPart::time_travel, sql_quoting(dest_->get()))) == "current") return;
    try {
        dest_->exec("BEGIN; " + sql_part_install(SqlPart::time_travel, sql_quoting(dest_->get())) + "; COMMIT");
    } catch (const PgError &error) {
        dest_->exec("ROLLBACK");
        log::warn(std::string("could not install the time travel functions in schema pgtrail (") + error.what() + "); install them with pgtrail setup");
    }
}

/// The progress store (the origin, else pgtrail.progress when the user may not use origins).
void Snapshot::prepare_origin() {
    auto facts = dest_->rows(progress_facts_query(config_.origin_name(), sql_quoting(dest_->get())));
    bool has_row = facts[0][2] == "t" && dest_->value(progress_row_query(config_.origin_name(), sql_quoting(dest_->get()))) == "t";
    progress_ = choose_progress(facts[0][0] == "t", has_row);
    log::info("progress is kept in " + progress_kind_name(progress_) +
              (progress_ == ProgressKind::origin ? " " + config_.origin_name()
                                                 : facts[0][0] == "t" ? "" : " (" + dest_->user() + " may not use replication origins)"));
    if (progress_ == ProgressKind::table) {
        if (facts[0][1] != "t")
            throw FatalError("table pgtrail.progress does not exist, where " + dest_->user() +
                             " keeps its progress since it may not use replication origins; run pgtrail setup as the destination's owner");
        origin_progress_ = dest_->value(progress_read_sql(progress_, config_.origin_name(), sql_quoting(dest_->get())));
        return;
    }
    std::string origin = dest_->literal(config_.origin_name());
    if (dest_->value("SELECT pg_replication_origin_oid(" + origin + ") IS NULL") == "t") {
        try {
            dest_->exec("SELECT pg_replication_origin_create(" + origin + ")");
        } catch (const PgError &error) {
            throw FatalError("cannot create replication origin " + config_.origin_name() + ": " + error.what());
        }
    }
    origin_progress_ = dest_->value("SELECT pg_replication_origin_progress(" + origin + ", true)");
}

}  // namespace pgtrail
