// pgtrail: change tracking for PostgreSQL through the pgtrail output plugin.
#include <iostream>

#include <CLI/CLI.hpp>

#include "ops/check_command.h"
#include "config.h"
#include "history/history_command.h"
#include "stream/run_command.h"
#include "ops/setup_command.h"
#include "history/snapshot_command.h"
#include "ops/ssh_tunnel.h"
#include "version.h"

int main(int argc, char **argv) {
    CLI::App app{"pgtrail: tracks every change in a PostgreSQL database into a changes table", "pgtrail"};
    app.require_subcommand(1);
    app.set_version_flag("--version", pgtrail::version_text());
    pgtrail::RunConfig run_config;
    CLI::App *run = app.add_subcommand("run", "Stream the source's changes into the changes table (exactly once)");
    pgtrail::add_run_options(*run, run_config);
    pgtrail::add_ops_options(*run, run_config.ops);
    bool run_snapshot = false;
    run->add_flag("--snapshot", run_snapshot, "When the slot does not exist yet: create it and record the initial snapshot first (see pgtrail snapshot)");
    pgtrail::CheckOptions check_options;
    CLI::App *check = app.add_subcommand("check", "Check that pgtrail run can work here; one line per item, with fixes");
    pgtrail::add_run_options(*check, run_config);
    pgtrail::add_check_options(*check, check_options);
    pgtrail::add_ssh_options(*check, run_config.ops);
    pgtrail::SetupOptions setup_options;
    CLI::App *setup = app.add_subcommand("setup", "Create the publication, replica identities, slot, changes table, functions and roles (idempotent)");
    pgtrail::add_run_options(*setup, run_config);
    pgtrail::add_setup_options(*setup, setup_options);
    pgtrail::add_ssh_options(*setup, run_config.ops);
    CLI::App *teardown = app.add_subcommand("teardown", "Drop the slot, origin and publication (the changes table only with --drop-data)");
    pgtrail::add_run_options(*teardown, run_config);
    pgtrail::add_teardown_options(*teardown, setup_options);
    pgtrail::add_ssh_options(*teardown, run_config.ops);
    CLI::App *snapshot = app.add_subcommand("snapshot", "Create the slot and record every existing row of the tracked tables as a baseline (SNAPSHOT rows)");
    pgtrail::add_run_options(*snapshot, run_config);
    pgtrail::add_ssh_options(*snapshot, run_config.ops);
    pgtrail::HistoryOptions history_options;
    CLI::App *history = app.add_subcommand("history", "Print the timeline of one row: each change with its context and column diffs");
    pgtrail::add_run_options(*history, run_config);
    pgtrail::add_history_options(*history, history_options);
    pgtrail::RevertOptions revert_options;
    CLI::App *revert = app.add_subcommand("revert", "Undo a source transaction (--transaction) or every change of a context (--context)");
    pgtrail::add_run_options(*revert, run_config);
    pgtrail::add_revert_options(*revert, revert_options);
    std::string key_file = "pgtrail_ed25519", key_comment = "pgtrail";
    CLI::App *keygen = app.add_subcommand("ssh-keygen", "Create an ed25519 key pair for --ssh-host and print the public key line");
    keygen->add_option("--file", key_file, "Private key file (the public key goes to FILE.pub)")->capture_default_str();
    keygen->add_option("--comment", key_comment, "Comment at the end of the public key line")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &error) {
        // --help and --version exit 0; a bad command line exits 2, as docs/SINK.md says.
        return app.exit(error) == 0 ? 0 : 2;
    }
    if (keygen->parsed()) return pgtrail::ssh_keygen_command(key_file, key_comment);
    for (CLI::App *command : {run, check, setup, teardown, snapshot, history, revert}) {
        if (!command->parsed()) continue;
        try {
            pgtrail::resolve_run_config(run_config);
            pgtrail::prepare_ssh_tunnel(run_config);
        } catch (const std::exception &error) {
            std::cerr << "pgtrail " << command->get_name() << ": " << error.what() << "\n";
            return 2;
        }
    }
    if (history->parsed()) return pgtrail::history_command(run_config, history_options);
    if (revert->parsed()) return pgtrail::revert_command(run_config, revert_options);
    if (run->parsed() && run_snapshot) {
        int status = 1;
        try {
            pgtrail::BlockingSshTunnel tunnel(run_config);  // the snapshot's own, closed before run opens its tunnel
            status = pgtrail::snapshot_before_run(run_config);
        } catch (const std::exception &error) {
            std::cerr << "pgtrail: " << error.what() << "\n";
        }
        if (status != 0) return status;
    }
    if (run->parsed()) return pgtrail::run_command(run_config);
    std::unique_ptr<pgtrail::BlockingSshTunnel> tunnel;  // check, setup, teardown through --ssh-host
    try {
        tunnel = std::make_unique<pgtrail::BlockingSshTunnel>(run_config);
    } catch (const std::exception &error) {
        std::cerr << "pgtrail: " << error.what() << "\n";
        return 1;
    }
    if (check->parsed()) return pgtrail::check_command(run_config, check_options);
    if (setup->parsed()) return pgtrail::setup_command(run_config, setup_options);
    if (teardown->parsed()) return pgtrail::teardown_command(run_config, setup_options);
    if (snapshot->parsed()) return pgtrail::snapshot_command(run_config);
    return 0;
}
