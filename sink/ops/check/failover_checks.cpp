// --failover: whether a standby is ready to take the slot over after a promotion (PostgreSQL
// 17+ failover slots): the slot's failover flag and synchronized_standby_slots on the primary;
// with --standby, that server's sync_replication_slots, hot_standby_feedback, primary_slot_name,
// wal_level and its synchronized copy of the slot.
#include "ops/check/checks.h"

#include <memory>

#include "pg/replication_stream.h"
#include "stream/failover_slot.h"

namespace pgtrail {

namespace {

std::string setting(BlockingPg &server, const std::string &name) {
    return server.value("SELECT setting FROM pg_settings WHERE name = " + server.literal(name));
}

std::string reload_fix(const std::string &assignment) {
    return "ALTER SYSTEM SET " + assignment + "; SELECT pg_reload_conf();";
}

void check_primary_slot(CheckContext &c) {
    auto rows = c.source.rows("SELECT failover FROM pg_replication_slots WHERE slot_name = " + c.source.literal(c.config.slot));
    if (rows.empty())
        c.report.ok("failover slot", "slot " + c.config.slot + " does not exist yet: pgtrail run --failover creates it with failover = true");
    else if (rows[0][0] == "t")
        c.report.ok("failover slot", "slot " + c.config.slot + " has failover = true: standbys with sync_replication_slots keep a copy");
    else
        c.report.fail("failover slot", "slot " + c.config.slot + " has failover = false: no standby keeps it, a promotion loses it",
                      "start pgtrail run --failover (it alters the slot: ALTER_REPLICATION_SLOT " + c.config.slot + " (FAILOVER true))");
}

/// The physical slots the primary waits for before sending logical changes; "" when none.
std::string check_synchronized_standby_slots(CheckContext &c) {
    std::string names = setting(c.source, "synchronized_standby_slots");
    if (names.empty()) {
        c.report.warn("synchronized_standby_slots",
                      "empty: the sink may receive and store changes a standby has not received yet; promoted, that standby "
                      "lacks them and its copy of the slot is behind the sink",
                      reload_fix("synchronized_standby_slots = '<the standby's primary_slot_name>'"));
        return "";
    }
    auto missing = c.source.rows("SELECT name FROM unnest(string_to_array(replace(" + c.source.literal(names) + ", ' ', ''), ',')) name "
                                 "WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = name AND slot_type = 'physical')");
    if (!missing.empty())
        c.report.fail("synchronized_standby_slots", names + ": no physical slot " + missing[0][0] + " here; logical decoding waits for it forever",
                      "create it for the standby (pg_create_physical_replication_slot) or remove it from synchronized_standby_slots");
    else
        c.report.ok("synchronized_standby_slots", names + ": the sink receives only what these standbys have");
    return names;
}

void check_standby_setting(CheckContext &c, BlockingPg &standby, const std::string &name, const std::string &want,
                           const std::string &why) {
    std::string value = setting(standby, name);
    if (value == want)
        c.report.ok("standby " + name, value);
    else
        c.report.fail("standby " + name, (value.empty() ? "not set" : value) + ": " + why + " (on the standby)",
                      reload_fix(name + " = " + want) + "  -- on the standby");
}

void check_standby(CheckContext &c, BlockingPg &standby, const std::string &standby_slots) {
    if (standby.value("SELECT pg_is_in_recovery()") != "t") {
        c.report.fail("standby", standby.describe() + " is not a standby (pg_is_in_recovery() is false)", "give --standby the standby's connection");
        return;
    }
    c.report.ok("standby", standby.describe() + " is a standby");
    check_standby_setting(c, standby, "sync_replication_slots", "on", "the standby does not copy failover slots");
    check_standby_setting(c, standby, "hot_standby_feedback", "on", "slot synchronization needs it");
    check_standby_setting(c, standby, "wal_level", "logical", "a synchronized logical slot needs it");
    std::string slot_name = setting(standby, "primary_slot_name");
    bool listed = false;
    for (std::size_t start = 0; start <= standby_slots.size();) {
        std::size_t end = standby_slots.find(',', start);
        if (end == std::string::npos) end = standby_slots.size();
        std::string name = standby_slots.substr(start, end - start);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        listed = listed || (!slot_name.empty() && name == slot_name);
        start = end + 1;
    }
    if (slot_name.empty())
        c.report.fail("standby primary_slot_name", "not set: slot synchronization needs the standby to stream through a physical slot",
                      reload_fix("primary_slot_name = 'standby1'") + "  -- on the standby, after pg_create_physical_replication_slot('standby1') on the primary");
    else if (!listed)
        c.report.warn("standby primary_slot_name", slot_name + " is not in the primary's synchronized_standby_slots",
                      reload_fix("synchronized_standby_slots = '" + slot_name + "'") + "  -- on the primary");
    else
        c.report.ok("standby primary_slot_name", slot_name + ", listed in the primary's synchronized_standby_slots");
    auto synced = standby.rows("SELECT synced, temporary, coalesce(invalidation_reason, '') FROM pg_replication_slots WHERE slot_name = " +
                               standby.literal(c.config.slot));
    if (synced.empty())
        c.report.fail("standby slot", "no copy of slot " + c.config.slot + " on the standby yet: a promotion now would lose it",
                      "check the settings above; the copy appears once the slot has failover = true and the sink has confirmed a position");
    else if (synced[0][0] != "t" || synced[0][1] == "t" || !synced[0][2].empty())
        c.report.warn("standby slot", "slot " + c.config.slot + " on the standby is not ready (synced " + synced[0][0] + ", temporary " +
                                          synced[0][1] + (synced[0][2].empty() ? "" : ", invalidated: " + synced[0][2]) + ")",
                      "wait until the sink has confirmed a newer position, then check again");
    else
        c.report.ok("standby slot", "slot " + c.config.slot + " is synchronized: the standby can take it over after a promotion");
}

}  // namespace

void check_failover(CheckContext &c) {
    if (!c.config.failover) return;
    std::string unsupported = failover_unsupported(c.config, std::stoi(c.source.value("SHOW server_version_num")));
    if (!unsupported.empty()) {
        c.report.fail("failover", unsupported);
        return;
    }
    check_primary_slot(c);
    std::string standby_slots = check_synchronized_standby_slots(c);
    if (c.options.standby.empty()) {
        c.report.warn("standby", "not checked", "give --standby 'host=... dbname=...' to check the standby that should take the slot over");
        return;
    }
    std::unique_ptr<BlockingPg> standby;
    try {
        // A standby is read-only: any PGTARGETSESSIONATTRS=read-write meant for the primary would refuse it.
        standby = std::make_unique<BlockingPg>(ConnParams{{{"target_session_attrs", "any"}, {"dbname", c.options.standby}}});
    } catch (const PgError &error) {
        c.report.fail("standby", std::string("cannot connect to the standby: ") + error.what());
        return;
    }
    check_standby(c, *standby, standby_slots);
}

}  // namespace pgtrail
