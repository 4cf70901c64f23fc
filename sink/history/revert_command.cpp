// `pgtrail revert`: the statements that undo a source transaction or a context, printed
// (--dry-run) or applied in one destination transaction through pgtrail.revert / revert_where.
#include <iostream>

#include <CLI/CLI.hpp>

#include "history/history_command.h"
#include "pg/quote.h"

namespace pgtrail {

void add_revert_options(CLI::App &revert, RevertOptions &options) {
    auto *transaction = revert.add_option("--transaction", options.transaction, "The source transaction id (changes.transaction_id) to undo");
    auto *context = revert.add_option("--context", options.context, "Undo every change whose context contains this JSON object, e.g. '{\"request_id\": \"abc\"}'");
    transaction->excludes(context);
    revert.add_flag("--dry-run", options.dry_run, "Print the statements that would undo the changes; change nothing");
    revert.add_flag("--force", options.force, "Revert even when a later change touched the same rows, when a statement does not touch exactly one row, "
                   "and when a value to write back is stored in a substitute form (lossy: written as that form)");
}

int revert_command(const RunConfig &config, const RevertOptions &options) {
    if (options.transaction == 0 && options.context.empty()) {
        std::cerr << "pgtrail revert: give --transaction N or --context JSON\n";
        return 2;
    }
    bool by_context = !options.context.empty();
    std::string what = by_context ? "context " + options.context : "transaction " + std::to_string(options.transaction);
    std::vector<std::vector<std::string>> statements;
    try {
        auto dest = connect_changes_destination(config);
        std::string argument = by_context ? dest->literal(options.context) + "::jsonb" : std::to_string(options.transaction) + "::bigint";
        std::string function = options.dry_run ? (by_context ? "pgtrail.revert_sql_where" : "pgtrail.revert_sql")
                                               : (by_context ? "pgtrail.revert_where" : "pgtrail.revert");
        std::string call = "SELECT s FROM " + function + "(" + argument +
                           (options.dry_run ? "" : std::string(", force => ") + (options.force ? "true" : "false")) + ") AS s";
        if (options.dry_run) {
            statements = dest->rows(call);
        } else {
            dest->exec("BEGIN");
            statements = dest->rows(call);
            dest->exec("COMMIT");
        }
    } catch (const PgError &error) {
        std::cerr << "pgtrail revert: " << describe_error(error) << "\n";
        if (!options.dry_run) std::cerr << "pgtrail revert: nothing was changed" << (options.force ? "" : " (--force reverts anyway)") << "\n";
        return 1;
    }
    for (const auto &row : statements) std::cout << row[0] << "\n";
    if (statements.empty()) std::cerr << "pgtrail revert: no changes of " << what << " to revert\n";
    else if (options.dry_run) std::cerr << "pgtrail revert: " << statements.size() << " statements would undo " << what << " (dry run: nothing changed)\n";
    else std::cerr << "pgtrail revert: reverted " << what << " with " << statements.size() << " statements\n";
    return 0;
}

}  // namespace pgtrail
