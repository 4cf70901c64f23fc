// pgtrail: change tracking for PostgreSQL through the pgtrail output plugin.
// Each command takes the shared option groups it reads (options.h) and its own options.
#include <iostream>

#include <CLI/CLI.hpp>

#include "config.h"
#include "history/forget_command.h"
#include "history/history_command.h"
#include "history/rewind_command.h"
#include "history/snapshot_command.h"
#include "nats/nats_options.h"
#include "ops/check_command.h"
#include "ops/setup_command.h"
#include "ops/ssh_tunnel.h"
#include "options.h"
#include "stream/run_command.h"
#include "ui/ui_command.h"
#include "version.h"

namespace {

using namespace pgtrail;

/// What every command that follows the slot's tables reads: connections, slot, tables, changes table.
constexpr unsigned kTrackingOptions = kConnectionOptions | kSlotOption | kPluginOption | kFailoverOption |
                                      kPublicationOption | kTableFilterOptions | kChangesTableOption;
/// The operator commands reach the source through the SSH tunnel and log what they do.
constexpr unsigned kOperatorOptions = kSshOptions | kLoggingOptions;
/// history, revert and forget only use the changes table in the destination.
constexpr unsigned kChangesReaderOptions = kConnectionOptions | kChangesTableOption;

CLI::App *add_command(CLI::App &app, RunConfig &config, const char *name, const char *description, unsigned groups) {
    CLI::App *command = app.add_subcommand(name, description);
    add_option_groups(*command, config, groups);
    return command;
}

/// `pgtrail run --snapshot`: the snapshot through its own tunnel (closed before run opens one), then run.
int run_after_snapshot(const RunConfig &config) {
    int status = 1;
    try {
        BlockingSshTunnel tunnel(config);
        status = snapshot_before_run(config);
    } catch (const std::exception &error) {
        std::cerr << "pgtrail: " << error.what() << "\n";
    }
    return status != 0 ? status : run_command(config);
}

/// check, setup, teardown and snapshot: the command through --ssh-host's tunnel when one is given.
template <typename Command>
int run_through_tunnel(const RunConfig &config, Command command) {
    std::unique_ptr<BlockingSshTunnel> tunnel;
    try {
        tunnel = std::make_unique<BlockingSshTunnel>(config);
    } catch (const std::exception &error) {
        std::cerr << "pgtrail: " << error.what() << "\n";
        return 1;
    }
    return command();
}

/// After a parse error: for each option the command does not take but another one does, says so
/// ("pgtrail revert: --batch-size is an option of pgtrail run").
void explain_misplaced_options(CLI::App &app, int argc, char **argv) {
    auto named = [&](CLI::App *command) { return argc > 1 && command->get_name() == argv[1]; };
    std::vector<CLI::App *> chosen = app.get_subcommands(named);
    if (chosen.empty()) return;
    CLI::App *command = chosen.front();
    for (int i = 2; i < argc; i++) {
        std::string name = argv[i];
        if (name.rfind("--", 0) != 0) continue;
        name = name.substr(0, name.find('='));
        if (command->get_option_no_throw(name)) continue;
        std::string owners;
        for (CLI::App *other : app.get_subcommands({}))
            if (other->get_option_no_throw(name)) owners += (owners.empty() ? "pgtrail " : ", pgtrail ") + other->get_name();
        if (!owners.empty()) std::cerr << "pgtrail " << command->get_name() << ": " << name << " is an option of " << owners << "\n";
    }
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"pgtrail: tracks every change in a PostgreSQL database into a changes table", "pgtrail"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version_text());
    RunConfig config;
    CLI::App *run = add_command(app, config, "run", "Stream the source's changes into the changes table (exactly once)",
                                kTrackingOptions | kStreamOptions | kServiceOptions | kOperatorOptions | kPolicyOptions |
                                    kPartitionOption | kRetentionOptions);
    bool run_snapshot = false;
    run->add_flag("--accept-gap", config.accept_gap,
                  "Start although the slot is gone or the source changed: record the changes not seen as a gap in pgtrail.gaps");
    add_nats_reader_options(*run, config.nats);
    run->add_flag("--snapshot", run_snapshot, "When the slot does not exist yet: create it and record the initial snapshot first (see pgtrail snapshot)");
    CLI::App *write = add_command(app, config, "write", "Write the changes a pgtrail run --nats publishes into a changes table (exactly once)",
                                  kChangesTableOption | kLoggingOptions);
    add_nats_writer_options(*write, config.nats);
    write->add_option("--destination", config.destination_url,
                      "Destination database for the changes table (default: DESTINATION_DB_* variables, else DB_* and PG* variables)")
        ->group("Connections");
    write->add_option("--batch-size", config.batch_size, "Changes per destination transaction (soft)")->capture_default_str()->check(CLI::Range(1, 10000000));
    write->add_option("--metrics-listen", config.ops.metrics_listen, "Serve Prometheus /metrics and /healthz on host:port")
        ->group("Metrics and slot safety");
    CheckOptions check_options;
    CLI::App *check = add_command(app, config, "check", "Check that pgtrail run can work here; one line per item, with fixes",
                                  kTrackingOptions | kOperatorOptions);
    add_check_options(*check, check_options);
    add_nats_check_options(*check, config.nats);
    SetupOptions setup_options;
    CLI::App *setup = add_command(app, config, "setup", "Create the publication, replica identities, slot, changes table, functions and roles (idempotent)",
                                  kTrackingOptions | kOperatorOptions | kPartitionOption);
    add_setup_options(*setup, setup_options);
    CLI::App *teardown = add_command(app, config, "teardown", "Drop the slot, origin and publication (the changes table only with --drop-data)",
                                     kConnectionOptions | kSlotOption | kPublicationOption | kChangesTableOption | kOperatorOptions);
    add_teardown_options(*teardown, setup_options);
    CLI::App *snapshot = add_command(app, config, "snapshot", "Create the slot and record every existing row of the tracked tables as a baseline (SNAPSHOT rows)",
                                     kTrackingOptions | kOperatorOptions | kPolicyOptions | kPartitionOption);
    HistoryOptions history_options;
    CLI::App *history = add_command(app, config, "history", "Print the timeline of one row: each change with its context and column diffs",
                                    kChangesReaderOptions);
    add_history_options(*history, history_options);
    RevertOptions revert_options;
    CLI::App *revert = add_command(app, config, "revert", "Undo a source transaction (--transaction) or every change of a context (--context)",
                                   kChangesReaderOptions);
    add_revert_options(*revert, revert_options);
    ForgetOptions forget_options;
    CLI::App *forget = add_command(app, config, "forget", "Erase one row's values from every recorded change (right to erasure); logged in pgtrail.erasures",
                                   kChangesReaderOptions);
    add_forget_options(*forget, forget_options);
    RewindOptions rewind_options;
    CLI::App *rewind = add_command(app, config, "rewind", "Return the tracked tables to their state at an instant (undoing every later change)",
                                   kConnectionOptions | kSlotOption | kChangesTableOption);
    add_rewind_options(*rewind, rewind_options);
    UiOptions ui_options;
    CLI::App *ui = add_command(app, config, "ui", "Serve the web UI over the changes table: feed, row timelines, transactions, activity, export, revert",
                               kChangesReaderOptions | kLoggingOptions);
    add_ui_options(*ui, ui_options);
    std::string key_file = "pgtrail_ed25519", key_comment = "pgtrail";
    CLI::App *keygen = app.add_subcommand("ssh-keygen", "Create an ed25519 key pair for --ssh-host and print the public key line");
    keygen->add_option("--file", key_file, "Private key file (the public key goes to FILE.pub)")->capture_default_str();
    keygen->add_option("--comment", key_comment, "Comment at the end of the public key line")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &error) {
        // --help and --version exit 0; a bad command line exits 2, as docs/SINK.md says.
        if (app.exit(error) == 0) return 0;
        explain_misplaced_options(app, argc, argv);
        return 2;
    }
    if (keygen->parsed()) return ssh_keygen_command(key_file, key_comment);
    try {
        resolve_run_config(config);
        prepare_ssh_tunnel(config);
    } catch (const std::exception &error) {
        std::cerr << "pgtrail " << app.get_subcommands().front()->get_name() << ": " << error.what() << "\n";
        return 2;
    }
    if (history->parsed()) return history_command(config, history_options);
    if (revert->parsed()) return revert_command(config, revert_options);
    if (forget->parsed()) return forget_command(config, forget_options);
    if (rewind->parsed()) return rewind_command(config, rewind_options);
    if (ui->parsed()) return ui_command(config, ui_options);
    if (write->parsed()) return run_writer_command(config);
    if (run->parsed() && !config.nats.urls.empty()) {
        if (run_snapshot) {
            std::cerr << "pgtrail run: --snapshot does not go through NATS yet; take the snapshot with pgtrail snapshot into each destination first\n";
            return 2;
        }
        return run_reader_command(config);
    }
    if (run->parsed()) return run_snapshot ? run_after_snapshot(config) : run_command(config);
    if (check->parsed()) return run_through_tunnel(config, [&] { return check_command(config, check_options); });
    if (setup->parsed()) return run_through_tunnel(config, [&] { return setup_command(config, setup_options); });
    if (teardown->parsed()) return run_through_tunnel(config, [&] { return teardown_command(config, setup_options); });
    if (snapshot->parsed()) return run_through_tunnel(config, [&] { return snapshot_command(config); });
    return 0;
}
