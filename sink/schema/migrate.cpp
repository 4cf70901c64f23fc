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

std::string not_partitioned_message(const TableName &table) {
    return "the changes table " + qualified(table) + " exists and is not partitioned; pgtrail never converts a table by itself: "
           "`pgtrail setup --partition-by day|month --dry-run` prints how to (or leave out --partition-by)";
}

asio::awaitable<int> migrate_changes_table(PgConnection &dest, const TableName &table, bool partitioned) {
    int from = co_await read_schema_version(dest, table);
    SqlQuoting quote = sql_quoting(dest.get());
    if (partitioned && from == 0) {
        std::exception_ptr error;  // co_await is not allowed inside a catch block
        try {
            co_await dest.query("BEGIN;\n" + partitioned_changes_table_ddl(table, quote) + "COMMIT");
        } catch (const PgError &failure) {
            if (failure.sqlstate.empty()) throw;
            error = std::current_exception();
        }
        if (error) {
            co_await dest.query("ROLLBACK");
            std::rethrow_exception(error);
        }
        log::info("changes table " + qualified(table) + ": created partitioned by committed_at, with a default partition");
    } else if (partitioned) {
        PgResult kind = co_await dest.query(relkind_query(table, quote));
        if (PQntuples(kind.get()) == 1 && std::string(PQgetvalue(kind.get(), 0, 0)) != "p") throw NotPartitioned(not_partitioned_message(table));
    }
    for (const auto &migration : migrations_after(from, table, quote)) {
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

int migrate_changes_table(BlockingPg &dest, const TableName &table, bool partitioned) {
    SqlQuoting quote = sql_quoting(dest.get());
    int from = read_schema_version(dest, table);
    if (partitioned && from == 0) {
        try {
            dest.exec("BEGIN;\n" + partitioned_changes_table_ddl(table, quote) + "COMMIT");
        } catch (const PgError &error) {
            if (!error.sqlstate.empty()) dest.exec("ROLLBACK");
            throw;
        }
        log::info("changes table " + qualified(table) + ": created partitioned by committed_at, with a default partition");
    } else if (partitioned) {
        auto kind = dest.rows(relkind_query(table, quote));
        if (kind.size() == 1 && kind[0][0] != "p") throw NotPartitioned(not_partitioned_message(table));
    }
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
