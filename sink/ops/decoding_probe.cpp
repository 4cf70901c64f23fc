// Gathering the auto rule's facts.
#include "ops/decoding_probe.h"

#include <random>

#include "ops/tracked_tables.h"
#include "pg/quote.h"

namespace pgtrail {

namespace {

bool contains(const std::string &text, const char *part) { return text.find(part) != std::string::npos; }

/// Creates and drops a temporary slot with the pgtrail plugin: true when it loads, false when
/// the server refuses or lacks it; nullopt when it could not tell (no right to create slots).
std::optional<bool> try_pgtrail(BlockingPg &source, int timeout_s, std::string &error_text) {
    std::random_device random;
    std::string slot = "pgtrail_probe_" + std::to_string(random() % 1000000000);
    try {
        source.exec("SET statement_timeout = " + std::to_string(timeout_s * 1000));
        source.exec("SELECT pg_create_logical_replication_slot(" + source.literal(slot) + ", 'pgtrail', true)");
        source.exec("SELECT pg_drop_replication_slot(" + source.literal(slot) + ")");
        source.exec("RESET statement_timeout");
        return true;
    } catch (const PgError &error) {
        error_text = error.what();
        try {
            source.exec("ROLLBACK; RESET statement_timeout");
        } catch (const PgError &) {
        }
        if (contains(error_text, "may not be used as an output plugin") || contains(error_text, "could not access file") ||
            error.sqlstate == "58P01")
            return false;
        return std::nullopt;
    }
}

}  // namespace

DecodingProbe probe_decoding(BlockingPg &source, const RunConfig &config, int timeout_s) {
    DecodingProbe probe;
    auto slot = source.rows("SELECT plugin FROM pg_replication_slots WHERE slot_name = " + source.literal(config.slot) +
                            " AND slot_type = 'logical'");
    if (!slot.empty()) probe.facts.slot_plugin = slot[0][0];
    // From 15.19 on; only superusers and pg_read_all_settings members see it.
    auto list = source.rows("SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'");
    if (!list.empty()) {
        probe.list = list[0][0];
        bool listed = false;
        for (const auto &name : split_list(probe.list)) listed = listed || name == "pgtrail" || name == "*";
        probe.facts.pgtrail_listed = listed;
    }
    if (needs_load_probe(config.plugin, probe.facts)) {
        probe.load_tried = true;
        probe.facts.pgtrail_loads = try_pgtrail(source, timeout_s, probe.load_error);
    }
    probe.choice = choose_decoding(config.plugin, probe.facts);
    return probe;
}

}  // namespace pgtrail
