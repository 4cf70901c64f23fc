// `pgtrail history`: one row's changes as a readable timeline.
#include "history/history_command.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "pg/quote.h"
#include "schema/schema.h"

namespace pgtrail {

namespace {

/// ANSI colours, empty when output is plain.
struct Palette {
    const char *reset = "", *dim = "", *bold = "", *red = "", *green = "", *yellow = "", *cyan = "";
    explicit Palette(bool on) {
        if (!on) return;
        reset = "\033[0m", dim = "\033[2m", bold = "\033[1m", red = "\033[31m", green = "\033[32m", yellow = "\033[33m", cyan = "\033[36m";
    }
    const char *operation(const std::string &op) const {
        if (op == "CREATE") return green;
        if (op == "UPDATE") return yellow;
        if (op == "SNAPSHOT") return cyan;
        return red;  // DELETE, TRUNCATE
    }
};

bool use_color(const std::string &mode) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    const char *no_color = std::getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

std::string pad(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
}

}  // namespace

void add_history_options(CLI::App &history, HistoryOptions &options) {
    history.add_option("table", options.table, "The tracked table ([schema.]name)")->required();
    history.add_option("key", options.key, "The row's key: the key column's value, or a JSON array for a composite key ('[1,\"a\"]')")->required();
    history.add_option("--color", options.color, "auto (when stdout is a terminal and NO_COLOR is unset), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
}

std::string describe_error(const PgError &error) {
    std::string out = error.what();
    if (!error.hint.empty()) out += "\n  hint: " + error.hint;
    return out;
}

std::unique_ptr<BlockingPg> connect_changes_destination(const RunConfig &config) {
    auto dest = std::make_unique<BlockingPg>(config.destination);
    TableName table = parse_table_name(config.changes_table);
    dest->exec("SET standard_conforming_strings = on; SELECT set_config('pgtrail.changes_table', " + dest->literal(qualified(table)) + ", false)");
    if (dest->value("SELECT to_regprocedure('pgtrail.history(regclass,text)') IS NULL") == "t")
        throw PgError("the time travel functions are not installed in the destination (schema pgtrail)", "",
                      "pgtrail run and pgtrail setup install them, or: psql -f sql/pgtrail_base.sql -f sql/time_travel.sql -f sql/revert.sql -f sql/erasure.sql -f sql/rewind.sql");
    return dest;
}

int history_command(const RunConfig &config, const HistoryOptions &options) {
    Palette c(use_color(options.color));
    std::vector<std::vector<std::string>> rows;
    std::string rel;
    try {
        auto dest = connect_changes_destination(config);
        rel = dest->value("SELECT pgtrail.qualified_name(" + dest->literal(options.table) + "::regclass)");
        // One line per changed column (or one per change without a diff), in column order.
        rows = dest->rows(
            "SELECT h.commit_lsn || '/' || h.ordinal, h.committed_at::text, h.operation, h.transaction_id::text, h.context::text, "
            "d.key, (d.value -> 0)::text, (d.value -> 1)::text, pgtrail.erasure_of(h.id) "
            "FROM pgtrail.history(" + dest->literal(options.table) + "::regclass, " + dest->literal(options.key) + ") AS h "
            "LEFT JOIN LATERAL jsonb_each(h.diff) AS d ON true "
            "LEFT JOIN pg_attribute a ON a.attrelid = " + dest->literal(options.table) + "::regclass AND a.attname = d.key "
            "ORDER BY h.commit_lsn, h.ordinal, a.attnum, d.key");
    } catch (const PgError &error) {
        std::cerr << "pgtrail history: " << describe_error(error) << "\n";
        return 1;
    }
    if (rows.empty()) {
        std::cerr << "pgtrail history: no changes recorded for key " << options.key << " of " << (rel.empty() ? options.table : rel) << "\n";
        return 0;
    }
    std::size_t width = 0;
    for (const auto &row : rows) width = std::max(width, row[5].size());
    std::string current;
    std::size_t changes = 0;
    for (const auto &row : rows) {
        if (row[0] != current) {
            current = row[0];
            changes++;
            std::cout << c.dim << row[1] << c.reset << "  " << c.bold << c.operation(row[2]) << pad(row[2], 8) << c.reset
                      << (row[2] == "SNAPSHOT" ? "  baseline (initial snapshot)" : "  transaction " + row[3]);
            if (row[4] != "{}") std::cout << "  " << c.cyan << row[4] << c.reset;
            if (!row[8].empty()) std::cout << "  " << c.red << "[values " << row[8] << "]" << c.reset;
            std::cout << "\n";
        }
        if (row[5].empty()) continue;
        std::cout << "    " << pad(row[5], width) << "  " << c.red << row[6] << c.reset << " → " << c.green << row[7] << c.reset << "\n";
    }
    std::cout << c.dim << changes << (changes == 1 ? " change" : " changes") << " of " << rel << " key " << options.key << c.reset << "\n";
    return 0;
}

}  // namespace pgtrail
