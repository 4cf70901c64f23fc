// The server: which host it is, its version, wal_level, and whether it lets pgtrail decode.
#include "ops/check/checks.h"

#include "ops/decoding_probe.h"

#include "ops/tracked_tables.h"

namespace pgtrail {

namespace {

void check_version(CheckContext &c) {
    auto rows = c.source.rows("SELECT current_setting('server_version_num')::int, current_setting('server_version')");
    int number = std::stoi(rows[0][0]);
    std::string text = "PostgreSQL " + rows[0][1];
    const char *where[] = {"", " on Amazon RDS/Aurora", " on Google Cloud SQL", " on Supabase"};
    text += where[static_cast<int>(c.host)];
    // The majors tested (README's support table, plugin/pg_compat.h); 16 builds but is untested.
    int major = number / 10000;
    if (major != 15 && major != 17 && major != 18)
        c.report.warn("server version", text + ": pgtrail's plugin is built and tested for PostgreSQL 15, 17 and 18",
                      "build the plugin against this server's headers (make -f Makefile.pgxs PG_CONFIG=...)");
    else
        c.report.ok("server version", text);
}

/// The way to turn on logical decoding on this host.
std::string wal_level_fix(Host host) {
    switch (host) {
    case Host::rds:
        return "set rds.logical_replication = 1 in the instance's DB parameter group (Aurora: the cluster parameter group), then reboot the instance";
    case Host::cloud_sql:
        return "gcloud sql instances patch <instance> --database-flags=cloudsql.logical_decoding=on (restarts the instance)";
    case Host::supabase:
        return "Supabase projects run with wal_level = logical; contact support if this one does not";
    default:
        return "ALTER SYSTEM SET wal_level = logical; then restart the server";
    }
}

void check_wal_level(CheckContext &c) {
    std::string level = c.source.value("SHOW wal_level");
    if (level == "logical")
        c.report.ok("wal_level", "logical");
    else
        c.report.fail("wal_level", level + ": logical decoding needs wal_level = logical", wal_level_fix(c.host));
}

/// output_plugin_libraries is not visible: says why.
void explain_hidden_allow_list(CheckContext &c) {
    // The setting exists from 15.19 on; only superusers (and pg_read_all_settings) see it.
    if (std::stoi(c.source.value("SHOW server_version_num")) >= 150019 && c.source.value(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_settings', 'member') FROM pg_roles WHERE rolname = current_user") != "t")
        c.report.ok("output plugin allowed", "output_plugin_libraries is not visible to " + c.user +
                                                 "; the end-to-end decoding below proves it lists pgtrail");
    else
        c.report.ok("output plugin allowed", "this server has no output_plugin_libraries allow-list");
}

void check_plugin_allowed(CheckContext &c) {
    auto rows = c.source.rows("SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'");
    if (rows.empty()) {
        explain_hidden_allow_list(c);
        return;
    }
    std::string list = rows[0][0];
    for (const auto &name : split_list(list))
        if (name == "pgtrail" || name == "*") {
            c.report.ok("output plugin allowed", "output_plugin_libraries lists pgtrail");
            return;
        }
    c.report.fail("output plugin allowed", "output_plugin_libraries (" + list + ") does not list pgtrail",
                  "ALTER SYSTEM SET output_plugin_libraries = " + (list.empty() ? std::string("pgoutput") : list) +
                      ", pgtrail; SELECT pg_reload_conf();");
}

}  // namespace

Host detect_host(BlockingPg &source) {
    auto rows = source.rows(
        "SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'rds.logical_replication') OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser'), "
        "EXISTS (SELECT 1 FROM pg_settings WHERE name LIKE 'cloudsql.%') OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cloudsqlsuperuser'), "
        "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin')");
    if (rows.empty()) return Host::self_managed;
    if (rows[0][0] == "t") return Host::rds;
    if (rows[0][1] == "t") return Host::cloud_sql;
    if (rows[0][2] == "t") return Host::supabase;
    return Host::self_managed;
}

void check_server(CheckContext &c) {
    check_version(c);
    check_wal_level(c);
    // Which decoding run will use (stream/decoding_choice.h); the plugin's allow-list matters only for pgtrail.
    DecodingProbe probe = probe_decoding(c.source, c.config, c.options.decode_timeout_s);
    c.plugin = probe.choice.plugin;
    if (c.plugin == "pgtrail" || c.plugin == "pgoutput")
        c.report.ok("decoding", std::string(c.plugin == "pgtrail" ? "the pgtrail output plugin" : "pgoutput, PostgreSQL's own plugin (the sink converts its rows)") +
                                    ": " + probe.choice.reason);
    if (c.plugin == "pgtrail") check_plugin_allowed(c);
}

}  // namespace pgtrail
