// `pgtrail ui`: checks, then the server on one io_context until a signal.
#include "ui/ui_command.h"

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "history/history_command.h"
#include "log.h"
#include "ops/metrics_server.h"
#include "schema/schema.h"
#include "ui/ui_auth.h"
#include "ui/ui_server.h"

namespace pgtrail {

namespace asio = boost::asio;

void add_ui_options(CLI::App &ui, UiOptions &options) {
    ui.add_option("--listen", options.listen,
                  "host:port to serve on; beyond loopback only with PGTRAIL_UI_TOKEN set (then required on every request)")
        ->capture_default_str();
    ui.add_flag("--allow-revert", options.allow_revert,
                "Let the page apply reverts (after a confirmation, with the conflict check of pgtrail revert); without it the page only shows the SQL");
}

namespace {

/// The quoted changes table for SQL, after checking the destination has it and the functions (exit 1 otherwise).
std::string check_destination(const RunConfig &config) {
    auto dest = connect_changes_destination(config);
    TableName table = parse_table_name(config.changes_table);
    std::string quoted_name = quoted(table, SqlQuoting{[&](std::string_view name) { return dest->ident(name); },
                                                       [&](std::string_view value) { return dest->literal(value); }});
    dest->value("SELECT count(*) FROM (SELECT 1 FROM " + quoted_name + " LIMIT 1) s");
    return quoted_name;
}

/// With --allow-revert and the changes in another database, reverts write to the source: it must be
/// reachable now, not at the first revert (exit 1 otherwise).
void check_revert_source(const RunConfig &config, const UiOptions &options) {
    if (!options.allow_revert || config.destination_is_source) return;
    BlockingPg source(config.source);
    source.value("SELECT 1");
}

}  // namespace

int ui_command(const RunConfig &config, const UiOptions &options) {
    const char *token_env = std::getenv("PGTRAIL_UI_TOKEN");
    std::string token = token_env ? token_env : "";
    asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = parse_listen(options.listen, "--listen");
    } catch (const std::exception &error) {
        std::cerr << "pgtrail ui: " << error.what() << "\n";
        return 2;
    }
    std::string refusal = ui::listen_refusal(options.listen, endpoint.address().is_loopback(), token);
    if (!refusal.empty()) {
        std::cerr << "pgtrail ui: " << refusal << "\n";
        return 2;
    }
    std::string changes_table;
    try {
        changes_table = check_destination(config);
    } catch (const PgError &error) {
        std::cerr << "pgtrail ui: " << describe_error(error) << "\n";
        return 1;
    }
    try {
        check_revert_source(config, options);
    } catch (const PgError &error) {
        std::cerr << "pgtrail ui: the source, where --allow-revert writes: " << describe_error(error) << "\n";
        return 1;
    }
    asio::io_context io;
    ui::DbPool pool(io.get_executor(), config.destination, config.source, qualified(parse_table_name(config.changes_table)));
    ui::ApiContext api{pool, changes_table, options.allow_revert, !config.destination_is_source};
    std::unique_ptr<ui::UiServer> server;
    try {
        server = std::make_unique<ui::UiServer>(io, endpoint, api, ui::RouterSettings{token, endpoint.address().is_loopback()},
                                                ui::UiServer::Limits{});
    } catch (const std::exception &error) {
        std::cerr << "pgtrail ui: " << error.what() << "\n";
        return 2;
    }
    server->start();
    log::info("pgtrail ui on http://" + server->address() + "/" + (token.empty() ? "" : " (token required)") +
              (options.allow_revert ? (config.destination_is_source ? ", reverts allowed" : ", reverts allowed (run in the source)")
                                       : ", reverts shown as SQL only"));
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec) return;
        log::info("stopping pgtrail ui");
        server->stop();
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace pgtrail
