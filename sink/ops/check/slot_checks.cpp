// The slot: how much WAL a slot may keep, and the existing slot's plugin, database, activity, lag
// and retained WAL.
#include "ops/check/checks.h"

#include <optional>

#include "pg/quote.h"

namespace pgtrail {

namespace {

void check_wal_keep_size(CheckContext &c) {
    auto keep = c.source.rows("SELECT setting::bigint FROM pg_settings WHERE name = 'max_slot_wal_keep_size'");
    if (keep.empty()) return;
    if (keep[0][0] == "-1")
        c.report.warn("max_slot_wal_keep_size", "-1 (unlimited): a slot nobody reads keeps WAL until the disk is full",
                      "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf();  -- size it to your disk");
    else
        c.report.ok("max_slot_wal_keep_size", bytes_text(std::stod(keep[0][0]) * 1024 * 1024) +
                                                  ": a slot further behind is invalidated (wal_status lost) and needs a re-snapshot");
}

/// The slot as pg_replication_slots shows it (columns named in slot_row's query).
struct SlotRow {
    std::string plugin, type, database, active, active_pid, wal_status, confirmed, lag_seconds, current_database, safe_wal_size;
    double lag = 0, retained = 0;
};

std::optional<SlotRow> slot_row(CheckContext &c) {
    auto rows = c.source.rows(
        "SELECT s.plugin, s.slot_type, s.database, s.active, s.active_pid, coalesce(s.wal_status, ''), "
        "pg_current_wal_lsn() - s.confirmed_flush_lsn, pg_current_wal_lsn() - s.restart_lsn, s.confirmed_flush_lsn, "
        "(SELECT extract(epoch FROM r.flush_lag) FROM pg_stat_replication r WHERE r.pid = s.active_pid), current_database(), "
        "s.safe_wal_size "
        "FROM pg_replication_slots s WHERE s.slot_name = " + c.source.literal(c.config.slot));
    if (rows.empty()) return std::nullopt;
    const auto &r = rows[0];
    SlotRow slot{r[0], r[1], r[2], r[3], r[4], r[5], r[8], r[9], r[10], r[11]};
    slot.lag = r[6].empty() ? 0 : std::stod(r[6]);
    slot.retained = r[7].empty() ? 0 : std::stod(r[7]);
    return slot;
}

/// False (after a FAIL) when the slot cannot be used at all.
bool slot_usable(CheckContext &c, const SlotRow &s, const std::string &drop) {
    const std::string &name = c.config.slot;
    if (s.type != "logical" || s.plugin != c.plugin)
        c.report.fail("slot", "slot " + name + " is a " + s.type + " slot for plugin \"" + s.plugin + "\"", drop + " or choose another --slot");
    else if (s.database != s.current_database)
        c.report.fail("slot", "slot " + name + " belongs to database " + s.database + ", not " + s.current_database, "choose another --slot");
    else if (s.wal_status == "lost")
        c.report.fail("slot", "slot " + name + " is lost (wal_status lost): the WAL it needed was removed, changes were missed",
                      drop + " then run pgtrail again and re-snapshot the tables (docs/OPERATIONS.md, \"a lost slot\")");
    else
        return true;
    return false;
}

std::string slot_text(CheckContext &c, const SlotRow &s) {
    return "slot " + c.config.slot + ": " + (s.active == "t" ? "active (pid " + s.active_pid + ")" : "not active") +
           ", confirmed " + s.confirmed + ", lag " + bytes_text(s.lag) + (s.lag_seconds.empty() ? "" : " / " + s.lag_seconds + " s") +
           ", retains " + bytes_text(s.retained) + " of WAL, wal_status " + s.wal_status +
           (s.safe_wal_size.empty() ? "" : ", " + bytes_text(std::stod(s.safe_wal_size)) + " until lost");
}

void check_slot_state(CheckContext &c, const SlotRow &s, const std::string &drop) {
    std::string text = slot_text(c, s);
    auto warn_above = static_cast<double>(c.options.retained_wal_warn);
    if (s.wal_status == "unreserved")
        c.report.warn("slot", text + ": it will be lost at the next checkpoint unless the sink catches up", "start pgtrail run now");
    else if (s.retained > warn_above)
        c.report.warn("slot", text + ": more than " + bytes_text(warn_above) + " retained",
                      s.active == "t" ? "let pgtrail run catch up (see its metrics), or raise --retained-wal-warn"
                                      : "start pgtrail run, or drop the slot if pgtrail is retired: " + drop);
    else if (s.active != "t")
        c.report.warn("slot", text + ": no sink is reading it, WAL accumulates", "start pgtrail run");
    else
        c.report.ok("slot", text);
}

}  // namespace

void check_slot(CheckContext &c) {
    check_wal_keep_size(c);
    if (!c.slot_exists) {
        c.report.ok("slot", "slot " + c.config.slot + " does not exist yet: pgtrail setup or pgtrail run creates it");
        return;
    }
    std::optional<SlotRow> slot = slot_row(c);
    if (!slot) return;
    std::string drop = "SELECT pg_drop_replication_slot(" + c.source.literal(c.config.slot) + ");";
    if (slot_usable(c, *slot, drop)) check_slot_state(c, *slot, drop);
}

}  // namespace pgtrail
