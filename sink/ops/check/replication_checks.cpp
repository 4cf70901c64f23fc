// Replication: the user may replicate, a replication connection opens, and the server has room for
// the slot and its walsender.
#include "ops/check/checks.h"

#include "pg/quote.h"

namespace pgtrail {

namespace {

void check_replication_right(CheckContext &c) {
    auto rows = c.source.rows(
        "SELECT r.rolreplication, r.rolsuper, "
        "EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' AND pg_has_role(current_user, g.oid, 'member')) "
        "FROM pg_roles r WHERE r.rolname = current_user");
    if (!rows.empty() && rows[0][0] == "t") {
        c.report.ok("replication right", c.user + " has REPLICATION" + std::string(rows[0][1] == "t" ? " (superuser)" : ""));
        return;
    }
    if (!rows.empty() && rows[0][2] == "t") {
        c.report.ok("replication right", c.user + " is a member of rds_replication");
        return;
    }
    std::string fix = c.host == Host::rds ? "GRANT rds_replication TO " + c.source.ident(c.user) + ";"
                                          : "ALTER ROLE " + c.source.ident(c.user) + " REPLICATION;";
    c.report.fail("replication right", "the user " + c.user + " may not start replication", fix);
}

void check_replication_connection(CheckContext &c) {
    if (c.report.failed("replication right")) return;
    try {
        BlockingPg repl(c.config.source, {{"replication", "database"}});
        auto rows = repl.rows("IDENTIFY_SYSTEM");
        c.report.ok("replication connection", "IDENTIFY_SYSTEM: system " + rows[0][0] + ", timeline " + rows[0][1] + ", WAL at " + rows[0][2]);
    } catch (const PgError &error) {
        std::string message = error.what();
        std::string fix = message.find("pg_hba.conf") != std::string::npos
                              ? "allow this user and database in pg_hba.conf (logical replication connections match the database column), then SELECT pg_reload_conf();"
                              : "";
        c.report.fail("replication connection", "cannot open a replication connection: " + message, fix);
    }
}

void check_slot_room(CheckContext &c, int max_slots, int used_slots) {
    int free_slots = max_slots - used_slots;
    std::string text = std::to_string(free_slots) + " of " + std::to_string(max_slots) + " free";
    std::string fix = "ALTER SYSTEM SET max_replication_slots = " + std::to_string(max_slots + 2) + "; then restart the server";
    if (!c.slot_exists && free_slots < 1)
        c.report.fail("max_replication_slots", text + ": no room for the " + c.config.slot + " slot", fix);
    else if (free_slots < 1)
        c.report.warn("max_replication_slots", text + ": no room for check's temporary slot", fix);
    else
        c.report.ok("max_replication_slots", text);
}

void check_sender_room(CheckContext &c, int max_senders, int used_senders) {
    int free_senders = max_senders - used_senders;
    std::string text = std::to_string(free_senders) + " of " + std::to_string(max_senders) + " free";
    std::string fix = "ALTER SYSTEM SET max_wal_senders = " + std::to_string(max_senders + 2) + "; then restart the server";
    if (free_senders < 1)
        c.report.fail("max_wal_senders", text + ": pgtrail run needs one", fix);
    else
        c.report.ok("max_wal_senders", text);
}

void check_capacity(CheckContext &c) {
    auto rows = c.source.rows(
        "SELECT current_setting('max_replication_slots')::int, (SELECT count(*) FROM pg_replication_slots), "
        "current_setting('max_wal_senders')::int, (SELECT count(*) FROM pg_stat_replication), "
        "EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = " + c.source.literal(c.config.slot) + ")");
    c.slot_exists = rows[0][4] == "t";
    check_slot_room(c, std::stoi(rows[0][0]), std::stoi(rows[0][1]));
    check_sender_room(c, std::stoi(rows[0][2]), std::stoi(rows[0][3]));
}

}  // namespace

void check_replication(CheckContext &c) {
    check_replication_right(c);
    check_replication_connection(c);
    check_capacity(c);
}

}  // namespace pgtrail
