// The progress SQL.
#include "schema/progress.h"

#include "ops/origin_functions.h"

namespace pgtrail {

namespace {

/// First half of the advisory lock key: "pgtr" as an int4, keeps clear of application locks on one int8.
constexpr const char *kLockClass = "1885828210";

std::string lock_key(std::string_view origin, const SqlQuoting &quote) {
    return std::string(kLockClass) + ", hashtext(" + quote.literal(origin) + ")";
}

}  // namespace

std::string progress_kind_name(ProgressKind kind) {
    return kind == ProgressKind::origin ? "replication origin" : "table pgtrail.progress";
}

std::string progress_facts_query(std::string_view origin, const SqlQuoting &quote) {
    std::string functions;
    for (const auto &f : kOriginFunctions) functions += std::string(functions.empty() ? "" : ", ") + quote.literal(f);
    return "SELECT (SELECT bool_and(has_function_privilege(f, 'EXECUTE')) FROM unnest(ARRAY[" + functions +
           "]::text[]) f WHERE f NOT IN ('pg_replication_origin_create(text)', 'pg_replication_origin_advance(text, pg_lsn)')) AND "
           "(EXISTS (SELECT FROM pg_replication_origin WHERE roname = " + quote.literal(origin) +
           ") OR has_function_privilege('pg_replication_origin_create(text)', 'EXECUTE')), "
           "to_regclass('pgtrail.progress') IS NOT NULL, "
           "to_regclass('pgtrail.progress') IS NOT NULL AND has_table_privilege('pgtrail.progress', 'SELECT')";
}

std::string progress_row_query(std::string_view origin, const SqlQuoting &quote) {
    return "SELECT EXISTS (SELECT FROM pgtrail.progress WHERE origin = " + quote.literal(origin) + ")";
}

ProgressKind choose_progress(bool origin_usable, bool table_has_row) {
    return table_has_row || !origin_usable ? ProgressKind::table : ProgressKind::origin;
}

std::string progress_read_sql(ProgressKind kind, std::string_view origin, const SqlQuoting &quote) {
    if (kind == ProgressKind::origin) return "SELECT pg_replication_origin_progress(" + quote.literal(origin) + ", true)";
    return "SELECT lsn FROM pgtrail.progress WHERE origin = " + quote.literal(origin);
}

std::string progress_record_sql(ProgressKind kind, std::string_view origin, std::string_view lsn,
                                std::string_view commit_time, const SqlQuoting &quote) {
    if (kind == ProgressKind::origin)
        return "SELECT pg_replication_origin_xact_setup(" + quote.literal(lsn) + ", " + quote.literal(commit_time) + ")";
    return "INSERT INTO pgtrail.progress AS p (origin, lsn, committed_at) VALUES (" + quote.literal(origin) + ", " +
           quote.literal(lsn) + ", " + quote.literal(commit_time) +
           ") ON CONFLICT (origin) DO UPDATE SET lsn = excluded.lsn, committed_at = excluded.committed_at, updated_at = now()";
}

std::string progress_lock_sql(std::string_view origin, const SqlQuoting &quote) {
    return "SELECT pg_try_advisory_lock(" + lock_key(origin, quote) + ")";
}

std::string progress_lock_holder_sql(std::string_view origin, const SqlQuoting &quote) {
    return "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::int4 = " + std::string(kLockClass) +
           " AND objid::int4 = hashtext(" + quote.literal(origin) + ") AND objsubid = 2 AND granted AND "
           "database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1";
}

}  // namespace pgtrail
