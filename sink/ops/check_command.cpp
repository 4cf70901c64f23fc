// `pgtrail check`: connects to the source, runs the groups of checks (ops/check/) in order and
// prints the report.
#include "ops/check_command.h"

#include <memory>

#include <CLI/CLI.hpp>

#include "ops/check/checks.h"
#include "ops/check/nats_checks.h"
#include "options.h"

namespace pgtrail {

namespace {

/// The source connection; null after a FAIL that names the fix.
std::unique_ptr<BlockingPg> connect_source(const RunConfig &config, CheckReport &report) {
    std::unique_ptr<BlockingPg> source;
    try {
        source = std::make_unique<BlockingPg>(config.source);
    } catch (const PgError &error) {
        std::string fix;
        std::string message = error.what();
        if (message.find("pg_hba.conf") != std::string::npos)
            fix = "add a host line for this user and database to pg_hba.conf, then SELECT pg_reload_conf();";
        else if (message.find("password") != std::string::npos)
            fix = "set DB_PASSWORD (or PGPASSFILE) to the user's password";
        std::string where = config.source.describe().empty() ? "" : " (" + config.source.describe() + ")";
        report.fail("connection", "cannot connect" + where + ": " + message, fix);
        return nullptr;
    }
    report.ok("connection", "connected to " + source->describe() +
                                (PQsslInUse(source->get()) ? ", TLS " + std::string(PQsslAttribute(source->get(), "protocol")) : ", no TLS"));
    return source;
}

void run_checks(CheckContext &context) {
    try {
        context.host = detect_host(context.source);
        check_server(context);
        check_replication(context);
        check_tables(context);
        check_slot(context);
        check_destination(context);
        check_decoding(context);
        check_failover(context);
    } catch (const std::exception &error) {
        context.report.fail("check", std::string("stopped: ") + error.what());
    }
}

}  // namespace

void add_check_options(CLI::App &check, CheckOptions &options) {
    check.add_option("--format", options.format, "text or json")->capture_default_str()->check(CLI::IsMember({"text", "json"}));
    check.add_option("--decode-timeout", options.decode_timeout_s, "Seconds the temporary slot may take to be created and decode")
        ->capture_default_str()->check(CLI::Range(1, 3600));
    add_retained_wal_warn_option(check, options.retained_wal_warn);
    check.add_option("--standby", options.standby,
                     "With --failover: the standby that should take the slot over (a connection string), checked too");
}

int check_command(const RunConfig &config, const CheckOptions &options) {
    CheckReport report;
    if (std::unique_ptr<BlockingPg> source = connect_source(config, report)) {
        CheckContext context{config, options, report, *source, source->user()};
        run_checks(context);
    }
    if (!config.nats.urls.empty()) check_nats_side(config, report);
    report.print(options.format);
    return report.any_failed() ? 1 : 0;
}

}  // namespace pgtrail
