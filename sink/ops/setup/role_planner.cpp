// The least-privilege roles setup creates on request: a source role that may replicate and read the
// tracked tables, a destination role that may insert into and read the changes table and use
// replication origins, a reader role for pgtrail ui that may only read the changes table.
// Passwords come from the environment and are never printed.
#include "ops/setup/planner.h"

#include <cstdlib>
#include <memory>
#include <set>

#include "ops/origin_functions.h"
#include "pg/quote.h"
#include "schema/schema.h"

namespace pgtrail {

namespace {

/// A role setup creates: where, with which attributes, and its password's variable.
struct RoleKind {
    bool on_source;
    const char *attributes;     ///< "LOGIN REPLICATION" or "LOGIN"
    bool replicates;            ///< the attributes include REPLICATION
    const char *password_env;   ///< the password comes from this variable (never printed)
    const char *database;       ///< "source" or "destination"
    const char *ability;        ///< "log in and replicate" or "log in"
};

constexpr RoleKind kSourceRole{true, "LOGIN REPLICATION", true, "PGTRAIL_SOURCE_ROLE_PASSWORD", "source", "log in and replicate"};
constexpr RoleKind kDestinationRole{false, "LOGIN", false, "PGTRAIL_DESTINATION_ROLE_PASSWORD", "destination", "log in"};
constexpr RoleKind kReaderRole{false, "LOGIN", false, "PGTRAIL_READER_ROLE_PASSWORD", "destination", "log in"};

/// The password as the server stores it (SCRAM-SHA-256 or md5, as its password_encryption says),
/// so the plaintext never reaches the server, its logs (log_statement = ddl) or an error message.
std::string password_verifier(BlockingPg &conn, const char *password, const std::string &role) {
    std::unique_ptr<char, void (*)(void *)> encrypted(PQencryptPasswordConn(conn.get(), password, role.c_str(), nullptr), PQfreemem);
    if (!encrypted) throw PgError("cannot encrypt the password of role " + role + ": " + PQerrorMessage(conn.get()), "");
    return encrypted.get();
}

/// RDS and Aurora grant replication through membership in rds_replication, not the attribute
/// (which their admin user may not give); elsewhere (Cloud SQL, Azure, Supabase, Neon) the attribute.
constexpr RoleKind kRdsSourceRole{true, "LOGIN", false, kSourceRole.password_env, "source", "log in"};

bool provider_replication_role(SetupContext &c) {
    return c.db.source().value("SELECT count(*) FROM pg_roles WHERE rolname = 'rds_replication'") != "0";
}

void plan_rds_replication(SetupContext &c, const std::string &role, bool exists) {
    if (exists && c.db.source().value("SELECT pg_has_role(" + c.db.source().literal(role) + ", 'rds_replication', 'MEMBER')") == "t") return;
    c.plan.add(true, "let role " + role + " replicate (RDS: member of rds_replication)", "GRANT rds_replication TO " + c.db.source().ident(role));
}

/// Creates the role, or gives it the attributes it lacks; true when it existed.
bool plan_role(SetupContext &c, const std::string &role, const RoleKind &kind) {
    BlockingPg &conn = kind.on_source ? c.db.source() : c.db.destination();
    auto rows = conn.rows("SELECT rolcanlogin, rolreplication FROM pg_roles WHERE rolname = " + conn.literal(role));
    if (rows.empty()) {
        const char *password = std::getenv(kind.password_env);
        std::string sql = "CREATE ROLE " + conn.ident(role) + " " + kind.attributes;
        c.plan.add(kind.on_source, "create role " + role + " (" + kind.attributes + ") for the " + kind.database,
                   sql + (password ? " PASSWORD " + quote_literal(conn.get(), password_verifier(conn, password, role)) : ""),
                   sql + (password ? std::string(" PASSWORD '<$") + kind.password_env + ">'" : ""));
        return false;
    }
    if (rows[0][0] != "t" || (kind.replicates && rows[0][1] != "t"))
        c.plan.add(kind.on_source, "let role " + role + " " + kind.ability, "ALTER ROLE " + conn.ident(role) + " " + kind.attributes);
    return true;
}

/// The schemas of the tracked tables.
std::set<std::string> tracked_schemas(SetupContext &c, const std::vector<TrackedTable> &tables) {
    std::set<std::string> schemas;
    for (const auto &t : tables)
        schemas.insert(c.db.source().value("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " +
                                           c.db.source().literal(t.qualified) + "::regclass"));
    return schemas;
}

void plan_source_grants(SetupContext &c, const std::string &role, bool exists) {
    BlockingPg &source = c.db.source();
    std::vector<TrackedTable> tables = planned_tables(c);
    for (const auto &schema : tracked_schemas(c, tables))
        if (!exists || source.value("SELECT has_schema_privilege(" + source.literal(role) + ", " + source.literal(schema) + ", 'USAGE')") != "t")
            c.plan.add(true, "let " + role + " use schema " + schema, "GRANT USAGE ON SCHEMA " + source.ident(schema) + " TO " + source.ident(role));
    for (const auto &t : tables)
        if (!exists || source.value("SELECT has_table_privilege(" + source.literal(role) + ", " + source.literal(t.qualified) + ", 'SELECT')") != "t")
            c.plan.add(true, "let " + role + " read " + t.qualified, "GRANT SELECT ON " + t.qualified + " TO " + source.ident(role));
}

void plan_source_role(SetupContext &c) {
    const std::string &role = c.options.source_role;
    if (role.empty()) return;
    bool rds = provider_replication_role(c);
    bool exists = plan_role(c, role, rds ? kRdsSourceRole : kSourceRole);
    if (rds) plan_rds_replication(c, role, exists);
    plan_source_grants(c, role, exists);
}

void plan_destination_grants(SetupContext &c, const std::string &role, bool exists) {
    BlockingPg &dest = c.db.destination();
    TableName table = parse_table_name(c.config.changes_table);
    std::string name = qualified(table);
    std::string schema = table.schema.empty() ? dest.value("SELECT current_schema()") : table.schema;
    auto has = [&](const std::string &check) { return exists && dest.value("SELECT " + check) == "t"; };
    if (!has("has_schema_privilege(" + dest.literal(role) + ", " + dest.literal(schema) + ", 'USAGE')"))
        c.plan.add(false, "let " + role + " use schema " + schema, "GRANT USAGE ON SCHEMA " + dest.ident(schema) + " TO " + dest.ident(role));
    bool table_planned = c.plan.has_step("create the changes table");
    auto table_has = [&](const std::string &privilege) {
        return !table_planned && has("has_table_privilege(" + dest.literal(role) + ", " + dest.literal(name) + ", '" + privilege + "')");
    };
    if (!table_has("INSERT") || !table_has("SELECT"))
        c.plan.add(false, "let " + role + " insert into and read " + name, "GRANT SELECT, INSERT ON " + name + " TO " + dest.ident(role));
    if (dest.value("SELECT to_regclass('pgtrail.schema_version') IS NULL") == "t" ||
        !has("has_table_privilege(" + dest.literal(role) + ", 'pgtrail.schema_version', 'SELECT')"))
        c.plan.add(false, "let " + role + " read pgtrail.schema_version and keep pgtrail.sources and pgtrail.gaps",
                   "GRANT USAGE ON SCHEMA pgtrail TO " + dest.ident(role) + "; GRANT SELECT ON pgtrail.schema_version TO " + dest.ident(role) +
                       "; GRANT SELECT, INSERT, UPDATE ON pgtrail.sources TO " + dest.ident(role) +
                       "; GRANT SELECT, INSERT ON pgtrail.gaps TO " + dest.ident(role));
    if (planned_progress(c) == ProgressKind::table) {
        // pgtrail.progress (migration 3) instead of the origin functions setup may not grant.
        if (c.plan.has_step("create table pgtrail.progress") ||
            !has("has_table_privilege(" + dest.literal(role) + ", 'pgtrail.progress', 'SELECT') AND has_table_privilege(" + dest.literal(role) +
                 ", 'pgtrail.progress', 'INSERT') AND has_table_privilege(" + dest.literal(role) + ", 'pgtrail.progress', 'UPDATE')"))
            c.plan.add(false, "let " + role + " keep its progress in pgtrail.progress",
                       "GRANT SELECT, INSERT, UPDATE ON pgtrail.progress TO " + dest.ident(role));
        return;
    }
    for (const auto &function : kOriginFunctions)
        if (!has("has_function_privilege(" + dest.literal(role) + ", " + dest.literal(function) + ", 'EXECUTE')"))
            c.plan.add(false, "let " + role + " call " + function, "GRANT EXECUTE ON FUNCTION " + function + " TO " + dest.ident(role));
}

void plan_destination_role(SetupContext &c) {
    const std::string &role = c.options.destination_role;
    if (role.empty()) return;
    bool exists = plan_role(c, role, kDestinationRole);
    plan_destination_grants(c, role, exists);
}

/// The bookkeeping tables the read functions consult (retention, the erasure log, the key-move cut).
const char *const kReadTables[] = {"pgtrail.policies", "pgtrail.erasures", "pgtrail.erased_changes", "pgtrail.key_move_cuts"};

/// Reading only: the changes table, the tables the functions consult, the functions; every
/// session read-only by default, so even a grant given later by mistake does not let it write.
void plan_reader_grants(SetupContext &c, const std::string &role, bool exists) {
    BlockingPg &dest = c.db.destination();
    TableName table = parse_table_name(c.config.changes_table);
    std::string name = qualified(table);
    std::string schema = table.schema.empty() ? dest.value("SELECT current_schema()") : table.schema;
    std::string who = dest.literal(role);
    auto has = [&](const std::string &check) { return exists && dest.value("SELECT " + check) == "t"; };
    for (const std::string &used : {schema, std::string("pgtrail")})
        if (!has("has_schema_privilege(" + who + ", " + dest.literal(used) + ", 'USAGE')"))
            c.plan.add(false, "let " + role + " use schema " + used, "GRANT USAGE ON SCHEMA " + dest.ident(used) + " TO " + dest.ident(role));
    if (c.plan.has_step("create the changes table") || !has("has_table_privilege(" + who + ", " + dest.literal(name) + ", 'SELECT')"))
        c.plan.add(false, "let " + role + " read " + name, "GRANT SELECT ON " + name + " TO " + dest.ident(role));
    for (const char *read : kReadTables)
        if (!has("CASE WHEN to_regclass(" + dest.literal(read) + ") IS NULL THEN false ELSE has_table_privilege(" + who + ", " +
                 dest.literal(read) + ", 'SELECT') END"))
            c.plan.add(false, "let " + role + " read " + read, "GRANT SELECT ON " + std::string(read) + " TO " + dest.ident(role));
    if (!has("to_regnamespace('pgtrail') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_proc WHERE pronamespace = to_regnamespace('pgtrail') AND prokind <> 'p' "
             "AND NOT has_function_privilege(" + who + ", oid, 'EXECUTE'))"))
        c.plan.add(false, "let " + role + " call the functions of schema pgtrail",
                   "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgtrail TO " + dest.ident(role));
    if (!has("EXISTS (SELECT 1 FROM pg_db_role_setting WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = " + who + ") AND setdatabase = 0 "
             "AND 'default_transaction_read_only=on' = ANY (setconfig))"))
        c.plan.add(false, "make " + role + "'s sessions read-only", "ALTER ROLE " + dest.ident(role) + " SET default_transaction_read_only = on");
}

void plan_reader_role(SetupContext &c) {
    const std::string &role = c.options.reader_role;
    if (role.empty()) return;
    bool exists = plan_role(c, role, kReaderRole);
    plan_reader_grants(c, role, exists);
}

}  // namespace

void plan_roles(SetupContext &c) {
    plan_source_role(c);
    plan_destination_role(c);
    plan_reader_role(c);
}

}  // namespace pgtrail
