// End to end: a temporary pgtrail slot decodes a logical message written for the test, which proves
// the plugin is installed, allowed, and that the user may decode.
#include "ops/check/checks.h"

#include <chrono>
#include <random>

#include "pg/quote.h"

namespace pgtrail {

namespace {

constexpr const char *kName = "end-to-end decoding";

/// Names the fix for the error creating or reading the temporary slot.
void explain_decoding_error(CheckContext &c, const PgError &error) {
    std::string message = error.what();
    if (message.find("may not be used as an output plugin") != std::string::npos)
        c.report.fail(kName, message, "ALTER SYSTEM SET output_plugin_libraries = pgoutput, pgtrail; SELECT pg_reload_conf();");
    else if (message.find("could not access file") != std::string::npos || error.sqlstate == "58P01")
        c.report.fail(kName, "the pgtrail output plugin is not installed on the server (" + message + ")",
                      "make -f Makefile.pgxs install on the database host (managed hosts cannot load it: run pgtrail against a self-managed server)");
    else if (error.sqlstate == "57014")
        c.report.fail(kName, "creating a slot waited more than " + std::to_string(c.options.decode_timeout_s) +
                                 " s: it waits for every running transaction to end",
                      "end the long transactions (SELECT pid, xact_start, query FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY xact_start;)");
    else
        c.report.fail(kName, message);
}

/// The records a temporary slot decodes after nonce was emitted as a message.
std::vector<std::vector<std::string>> decode_message(CheckContext &c, const std::string &slot, const std::string &nonce) {
    c.source.exec("SET statement_timeout = " + std::to_string(c.options.decode_timeout_s * 1000));
    c.source.exec("SELECT pg_create_logical_replication_slot(" + c.source.literal(slot) + ", " + c.source.literal(c.plugin) + ", true)");
    c.source.exec("SELECT pg_logical_emit_message(true, '_pgtrail_check', " + c.source.literal(nonce) + ")");
    // pgoutput: protocol 1 with messages, as run reads it; the message's bytes hold the nonce (rendered as a marker row).
    auto rows = c.plugin == "pgoutput"
                    ? c.source.rows("SELECT CASE WHEN position(convert_to(" + c.source.literal(nonce) + ", 'UTF8') IN data) > 0 THEN "
                                    "'\"op\":\"M\" ' || " + c.source.literal(nonce) + " ELSE '' END FROM pg_logical_slot_get_binary_changes(" +
                                    c.source.literal(slot) + ", NULL, NULL, 'proto_version', '1', 'publication_names', " +
                                    c.source.literal(c.config.pgoutput_publications()) + ", 'messages', 'true')")
                    : c.source.rows("SELECT data FROM pg_logical_slot_get_changes(" + c.source.literal(slot) +
                                    ", NULL, NULL, 'messages', '_pgtrail_check', 'skip-empty-xacts', '1')");
    c.source.exec("SELECT pg_drop_replication_slot(" + c.source.literal(slot) + ")");
    c.source.exec("RESET statement_timeout");
    return rows;
}

}  // namespace

void check_decoding(CheckContext &c) {
    if (c.report.failed("wal_level") || c.report.failed("replication right") || c.report.failed("output plugin allowed") ||
        (c.plugin == "pgoutput" && c.report.failed("publication"))) {
        c.report.fail(kName, "skipped: fix the problems above first");
        return;
    }
    std::random_device random;
    std::string nonce = std::to_string(random()) + std::to_string(random());
    std::string slot = "pgtrail_check_" + std::to_string(random() % 1000000000);
    auto started = std::chrono::steady_clock::now();
    try {
        auto rows = decode_message(c, slot, nonce);
        bool seen = false;
        for (const auto &row : rows)
            if (row[0].find(nonce) != std::string::npos && row[0].find("\"op\":\"M\"") != std::string::npos) seen = true;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        if (seen)
            c.report.ok(kName, "a temporary " + c.plugin + " slot decoded a test message (" + std::to_string(rows.size()) + " records, " +
                                   std::to_string(ms) + " ms)");
        else
            c.report.fail(kName, "a temporary " + c.plugin + " slot did not return the test message (" + std::to_string(rows.size()) + " records)");
    } catch (const PgError &error) {
        try {
            c.source.exec("ROLLBACK; RESET statement_timeout");
        } catch (const PgError &) {
        }
        explain_decoding_error(c, error);
    }
}

}  // namespace pgtrail
