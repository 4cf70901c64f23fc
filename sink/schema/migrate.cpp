// Migrations on a live destination.
#include "schema/migrate.h"

#include <string>

#include "log.h"
#include "pg/quote.h"

namespace pgtrail {

asio::awaitable<int> read_schema_version(PgConnection &dest, const TableName &table) {
    SqlQuoting quote = sql_quoting(dest.get());
    PgResult state = co_await dest.query(schema_state_query(table, quote));
    bool exists = std::string(PQgetvalue(state.get(), 0, 0)) == "t";
    std::optional<int> recorded;
    if (exists && std::string(PQgetvalue(state.get(), 0, 1)) == "t") {
        PgResult row = co_await dest.query(recorded_version_query(table, quote));
        if (PQntuples(row.get()) == 1) recorded = std::stoi(PQgetvalue(row.get(), 0, 0));
    }
    co_return schema_version_of(table, exists, recorded);
}

asio::awaitable<int> migrate_changes_table(PgConnection &dest, const TableName &table) {
    int from = co_await read_schema_version(dest, table);
    for (const auto &migration : migrations_after(from, table, sql_quoting(dest.get()))) {
        std::exception_ptr error;  // co_await is not allowed inside a catch block
        try {
            co_await dest.query("BEGIN;\n" + migration.body + ";\nCOMMIT");
        } catch (const PgError &failure) {
            if (failure.sqlstate.empty()) throw;  // the connection is gone, and the transaction with it
            error = std::current_exception();
        }
        if (error) {
            co_await dest.query("ROLLBACK");
            std::rethrow_exception(error);
        }
        log::info("changes table " + qualified(table) + ": " + migration.what + " (schema version " +
                  std::to_string(migration.version) + ")");
    }
    co_return from;
}

int read_schema_version(BlockingPg &dest, const TableName &table) {
    SqlQuoting quote = sql_quoting(dest.get());
    auto state = dest.rows(schema_state_query(table, quote));
    bool exists = state[0][0] == "t";
    std::optional<int> recorded;
    if (exists && state[0][1] == "t") {
        auto row = dest.rows(recorded_version_query(table, quote));
        if (!row.empty()) recorded = std::stoi(row[0][0]);
    }
    return schema_version_of(table, exists, recorded);
}

int migrate_changes_table(BlockingPg &dest, const TableName &table) {
    SqlQuoting quote = sql_quoting(dest.get());
    int from = read_schema_version(dest, table);
    for (const auto &migration : migrations_after(from, table, quote)) {
        try {
            dest.exec("BEGIN;\n" + migration.body + ";\nCOMMIT");
        } catch (const PgError &error) {
            if (!error.sqlstate.empty()) dest.exec("ROLLBACK");
            throw;
        }
        log::info("changes table " + qualified(table) + ": " + migration.what + " (schema version " +
                  std::to_string(migration.version) + ")");
    }
    return from;
}

}  // namespace pgtrail
