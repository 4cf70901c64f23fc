// Installing sql/*.sql.
#include "schema/sql_install.h"

#include <optional>
#include <utility>

#include "log.h"
#include "pg/quote.h"
#include "sql_files.h"

namespace pgtrail {

namespace {

const char *marker_name(SqlPart part) {
    switch (part) {
    case SqlPart::time_travel: return "installed_time_travel";
    case SqlPart::context: return "installed_context";
    default: return "installed_replica_identity";
    }
}

std::string part_hash(SqlPart part) {
    using namespace sql_files;
    switch (part) {
    case SqlPart::time_travel: return std::string(kPgtrailBaseSqlHash) + kPoliciesSqlHash + kTimeTravelSqlHash + kRevertSqlHash + kErasureSqlHash + kRewindSqlHash;
    case SqlPart::context: return kContextSqlHash;
    default: return kReplicaIdentitySqlHash;
    }
}

std::string part_text(SqlPart part) {
    using namespace sql_files;
    switch (part) {
    case SqlPart::time_travel: return std::string(kPgtrailBaseSql) + "\n" + kPoliciesSql + "\n" + kTimeTravelSql + "\n" + kRevertSql + "\n" + kErasureSql + "\n" + kRewindSql;
    case SqlPart::context: return kContextSql;
    default: return kReplicaIdentitySql;
    }
}

}  // namespace

const char *sql_part_title(SqlPart part) {
    switch (part) {
    case SqlPart::time_travel: return "time travel, revert, erasure and rewind functions";
    case SqlPart::context: return "context triggers";
    default: return "REPLICA IDENTITY FULL event trigger";
    }
}

const char *sql_part_files(SqlPart part) {
    switch (part) {
    case SqlPart::time_travel: return "sql/pgtrail_base.sql, sql/policies.sql, sql/time_travel.sql, sql/revert.sql, sql/erasure.sql, sql/rewind.sql";
    case SqlPart::context: return "sql/context.sql";
    default: return "sql/replica_identity.sql";
    }
}

std::string sql_part_install(SqlPart part, const SqlQuoting &quote) {
    return part_text(part) + "\n-- Marker: which version of " + sql_part_files(part) + " is installed.\n" +
           "CREATE OR REPLACE FUNCTION pgtrail." + marker_name(part) + "() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT " +
           quote.literal(part_hash(part)) + "::text $$;\n";
}

std::string sql_part_state_query(SqlPart part, const SqlQuoting &quote) {
    return std::string("SELECT CASE WHEN p.prosrc IS NULL THEN 'missing' WHEN position(") + quote.literal(part_hash(part)) +
           " IN p.prosrc) > 0 THEN 'current' ELSE 'outdated' END FROM (SELECT (SELECT f.prosrc FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace "
           "WHERE n.nspname = 'pgtrail' AND f.proname = " + quote.literal(marker_name(part)) + ") AS prosrc) p";
}

asio::awaitable<void> ensure_time_travel_functions(PgConnection &dest) {
    SqlQuoting quote = sql_quoting(dest.get());
    PgResult state = co_await dest.query(sql_part_state_query(SqlPart::time_travel, quote));
    std::string value = state && PQntuples(state.get()) ? PQgetvalue(state.get(), 0, 0) : "";
    if (value == "current") co_return;
    std::optional<PgError> failure;
    try {
        co_await dest.query("BEGIN; " + sql_part_install(SqlPart::time_travel, quote) + "; COMMIT");
    } catch (const PgError &error) {
        failure = error;
    }
    if (failure) {
        if (failure->sqlstate.empty()) throw *failure;  // the connection failed: reconnect
        co_await dest.query("ROLLBACK");
        log::warn(std::string("could not install the ") + sql_part_title(SqlPart::time_travel) + " in schema pgtrail (" +
                  failure->what() + "); the sink works without them; install them as the table owner with pgtrail setup");
        co_return;
    }
    log::info(std::string(value == "missing" ? "installed" : "updated") + " the " + sql_part_title(SqlPart::time_travel) +
              " in schema pgtrail");
}

}  // namespace pgtrail
