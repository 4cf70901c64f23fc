// What teardown drops: the slot (refused while a sink reads it), the publication, the event
// trigger, the origin, and with --drop-data the changes table and schema pgtrail.
#include "ops/setup/planner.h"

#include "pg/quote.h"

namespace pgtrail {

namespace {

void plan_slot_drop(SetupContext &c) {
    const std::string &slot = c.config.slot;
    auto rows = c.db.source().rows("SELECT active_pid FROM pg_replication_slots WHERE slot_name = " + c.db.source().literal(slot));
    if (rows.empty()) return;
    if (!rows[0][0].empty()) throw SetupFailure("slot " + slot + " is in use by process " + rows[0][0] + ": stop pgtrail run first");
    c.plan.add(true, "drop the replication slot " + slot, "SELECT pg_drop_replication_slot(" + c.db.source().literal(slot) + ")");
}

void plan_source_drops(SetupContext &c) {
    BlockingPg &source = c.db.source();
    std::string pub = publication_name(c.config);
    if (source.value("SELECT count(*) FROM pg_publication WHERE pubname = " + source.literal(pub)) != "0")
        c.plan.add(true, "drop publication " + pub, "DROP PUBLICATION " + source.ident(pub));
    if (source.value("SELECT count(*) FROM pg_event_trigger WHERE evtname = 'pgtrail_replica_identity_on_create_table'") != "0")
        c.plan.add(true, "drop the REPLICA IDENTITY FULL event trigger", "DROP EVENT TRIGGER pgtrail_replica_identity_on_create_table");
}

void plan_origin_drop(SetupContext &c) {
    std::string origin = c.config.origin_name();
    BlockingPg &dest = c.db.destination();
    if (dest.value("SELECT count(*) FROM pg_replication_origin WHERE roname = " + dest.literal(origin)) != "0")
        c.plan.add(false, "drop the replication origin " + origin, "SELECT pg_replication_origin_drop(" + dest.literal(origin) + ")");
    if (dest.value("SELECT to_regclass('pgtrail.progress') IS NOT NULL") == "t" &&
        dest.value(progress_row_query(origin, sql_quoting(dest.get()))) == "t")
        c.plan.add(false, "forget the progress of " + origin + " in pgtrail.progress",
                   "DELETE FROM pgtrail.progress WHERE origin = " + dest.literal(origin));
    // The origin's source is forgotten with it: a later run starts afresh instead of reporting a gap.
    if (dest.value("SELECT to_regclass('pgtrail.sources') IS NOT NULL") == "t" &&
        dest.value("SELECT count(*) FROM pgtrail.sources WHERE origin = " + dest.literal(origin)) != "0")
        c.plan.add(false, "forget the source of " + origin + " (pgtrail.sources)", "DELETE FROM pgtrail.sources WHERE origin = " + dest.literal(origin));
}

/// --drop-data: the changes table and schema pgtrail (in both databases when they differ).
void plan_data_drop(SetupContext &c) {
    BlockingPg &dest = c.db.destination();
    std::string table = changes_regclass(c.config);
    if (dest.value("SELECT to_regclass(" + dest.literal(table) + ") IS NOT NULL") == "t")
        c.plan.add(false, "drop the changes table " + table + " (--drop-data)", "DROP TABLE " + table);
    if (dest.value("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgtrail'") != "0")
        c.plan.add(false, "drop schema pgtrail (--drop-data)", "DROP SCHEMA pgtrail CASCADE");
    if (!c.config.destination_is_source && c.db.source().value("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgtrail'") != "0")
        c.plan.add(true, "drop schema pgtrail and the context triggers (--drop-data)", "DROP SCHEMA pgtrail CASCADE");
}

}  // namespace

void plan_teardown(SetupContext &c) {
    plan_slot_drop(c);
    plan_source_drops(c);
    plan_origin_drop(c);
    if (c.options.drop_data) plan_data_drop(c);
}

}  // namespace pgtrail
