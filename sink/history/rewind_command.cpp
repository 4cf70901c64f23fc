// `pgtrail rewind`: checks that pgtrail run has recorded the source up to now, then prints
// (--dry-run) or applies pgtrail.rewind_sql / pgtrail.rewind in one destination transaction.
#include "history/rewind_command.h"

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <CLI/CLI.hpp>

#include "history/history_command.h"
#include "name_pattern.h"
#include "pg/quote.h"

namespace pgtrail {

namespace {

/// "" when the slot has confirmed the source's current WAL position within `wait_seconds` (every
/// committed change is then in the changes table), else why not.
std::string recording_lag(const RunConfig &config, int wait_seconds) {
    BlockingPg source(config.source);
    std::string target = source.value("SELECT pg_current_wal_lsn()");
    std::string query = "SELECT confirmed_flush_lsn::text, confirmed_flush_lsn >= " + source.literal(target) +
                        "::pg_lsn FROM pg_replication_slots WHERE slot_name = " + source.literal(config.slot);
    std::string confirmed;
    for (int tick = 0; tick <= wait_seconds * 5; tick++) {
        auto slot = source.rows(query);
        if (slot.empty())
            return "there is no replication slot " + config.slot + " on the source, so nothing records its changes now";
        if (slot[0][1] == "t") return "";
        confirmed = slot[0][0];
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "pgtrail run has not recorded the source up to now: slot " + config.slot + " confirmed " + confirmed +
           ", the source is at " + target + " (waited " + std::to_string(wait_seconds) +
           " s); changes not in the changes table yet would not be undone";
}

/// ARRAY['"s"."t"', ...]::regclass[] of the changed tables matching the patterns; "" when none.
std::string chosen_tables(BlockingPg &dest, const std::string &at, const std::vector<TablePattern> &patterns) {
    std::string list;
    for (const auto &row : dest.rows("SELECT schema_name, table_name, format('%I.%I', schema_name, table_name) "
                                     "FROM pgtrail.tables_changed_after(" + at + ")")) {
        if (!any_table_matches(patterns, row[0], row[1])) continue;
        list += (list.empty() ? "" : ", ") + dest.literal(row[2]);
    }
    return list.empty() ? "" : "ARRAY[" + list + "]::regclass[]";
}

}  // namespace

void add_rewind_options(CLI::App &rewind, RewindOptions &options) {
    rewind.add_option("--to", options.to, "The instant to return to (a timestamptz, e.g. '2026-11-30 10:00:00+00')")->required();
    rewind.add_option("--tables", options.tables, "Only these tables: comma list of schema.table patterns with * wildcards (default: every table changed since)");
    rewind.add_flag("--dry-run", options.dry_run, "Print the statements that would rewind the tables; change nothing");
    rewind.add_flag("--force", options.force, "Rewind even when a row differs from its last recorded image or pgtrail run has not caught up");
    rewind.add_flag("--disable-triggers", options.disable_triggers, "session_replication_role = replica while rewinding (superuser): no triggers, no foreign key checks");
    rewind.add_option("--wait", options.wait_seconds, "Seconds to wait for pgtrail run to record the source up to now")->capture_default_str();
}

int rewind_command(const RunConfig &config, const RewindOptions &options) {
    std::vector<TablePattern> patterns;
    try {
        if (!options.tables.empty()) patterns = parse_table_patterns(options.tables);
    } catch (const std::invalid_argument &error) {
        std::cerr << "pgtrail rewind: --tables: " << error.what() << "\n";
        return 2;
    }
    if (!options.dry_run && !config.destination_is_source) {
        std::cerr << "pgtrail rewind: the rewind writes the tracked tables where the changes table is, so it needs the destination "
                     "to be the source; with a separate --destination, review the statements with --dry-run and run them on the source\n";
        return 1;
    }
    std::vector<std::vector<std::string>> statements;
    std::string at_text;
    try {
        auto dest = connect_changes_destination(config);
        if (dest->value("SELECT to_regprocedure('pgtrail.rewind(timestamptz,regclass[],boolean,boolean)') IS NULL") == "t")
            throw PgError("the rewind functions are not installed in the destination (schema pgtrail)", "",
                          "pgtrail setup and pgtrail run install them (sql/rewind.sql)");
        std::string at = dest->literal(dest->value("SELECT " + dest->literal(options.to) + "::timestamptz")) + "::timestamptz";
        at_text = dest->value("SELECT " + at + "::text");
        std::string tables = patterns.empty() ? "NULL" : chosen_tables(*dest, at, patterns);
        if (tables.empty()) {
            std::cerr << "pgtrail rewind: no table matching " << options.tables << " changed after " << at_text << ": nothing to rewind\n";
            return 0;
        }
        std::string lag = recording_lag(config, options.wait_seconds);
        if (!lag.empty() && !options.dry_run && !options.force) throw PgError("cannot rewind: " + lag, "", "--force rewinds anyway");
        if (!lag.empty()) std::cerr << "pgtrail rewind: warning: " << lag << "\n";
        if (options.dry_run) {
            statements = dest->rows("SELECT pgtrail.rewind_sql(" + at + ", " + tables + ")");
        } else {
            dest->exec("BEGIN");
            statements = dest->rows("SELECT pgtrail.rewind(" + at + ", " + tables + ", force => " + (options.force ? "true" : "false") +
                                    ", disable_triggers => " + (options.disable_triggers ? "true" : "false") + ")");
            dest->exec("COMMIT");
        }
    } catch (const PgError &error) {
        std::cerr << "pgtrail rewind: " << describe_error(error) << "\n";
        if (!options.dry_run) std::cerr << "pgtrail rewind: nothing was changed\n";
        return 1;
    }
    for (const auto &row : statements) std::cout << row[0] << "\n";
    std::string tables = options.tables.empty() ? "the tables" : "the tables matching " + options.tables;
    if (statements.empty()) std::cerr << "pgtrail rewind: nothing changed after " << at_text << " in " << tables << "\n";
    else if (options.dry_run) std::cerr << "pgtrail rewind: " << statements.size() << " statements would return " << tables << " to " << at_text << " (dry run: nothing changed)\n";
    else std::cerr << "pgtrail rewind: returned " << tables << " to " << at_text << " with " << statements.size() << " statements\n";
    return 0;
}

}  // namespace pgtrail
