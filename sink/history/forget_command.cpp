// `pgtrail forget`: pgtrail.forget in one destination transaction, with what it did on stderr.
#include "history/forget_command.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "history/history_command.h"
#include "pg/quote.h"

namespace pgtrail {

void add_forget_options(CLI::App &forget, ForgetOptions &options) {
    forget.add_option("table", options.table, "The tracked table ([schema.]name)")->required();
    forget.add_option("key", options.key, "The row's key: the key column's value, or a JSON array for a composite key ('[1,\"a\"]')")->required();
    forget.add_flag("--with-key", options.with_key, "Erase the key too (primary_key becomes NULL; the erasure log does not name the key)");
    forget.add_option("--reason", options.reason, "Why (kept in pgtrail.erasures, e.g. a ticket number)");
}

int forget_command(const RunConfig &config, const ForgetOptions &options) {
    std::string erased, keys;
    try {
        auto dest = connect_changes_destination(config);
        std::string rel = dest->literal(options.table) + "::regclass";
        std::string reason = options.reason.empty() ? "NULL" : dest->literal(options.reason);
        dest->exec("BEGIN");
        keys = dest->value("SELECT array_to_string(pgtrail.row_keys(" + rel + ", " + dest->literal(options.key) + "), ', ')");
        erased = dest->value("SELECT pgtrail.forget(" + rel + ", " + dest->literal(options.key) + ", " +
                             (options.with_key ? "true" : "false") + ", " + reason + ")");
        dest->exec("COMMIT");
    } catch (const PgError &error) {
        std::cerr << "pgtrail forget: " << describe_error(error) << "\npgtrail forget: nothing was erased\n";
        return 1;
    }
    std::string what = options.table + " key " + (options.with_key ? "(not logged)" : options.key);
    if (erased == "0") {
        std::cerr << "pgtrail forget: no changes recorded for " << what << " (logged in pgtrail.erasures with 0 rows)\n";
        return 0;
    }
    std::cerr << "pgtrail forget: erased the values of " << erased << " changes of " << what
              << (keys.find(',') != std::string::npos && !options.with_key ? " (the row's keys: " + keys + ")" : "")
              << "; logged in pgtrail.erasures\n";
    return 0;
}

}  // namespace pgtrail
