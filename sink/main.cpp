// pgtrail: change tracking for PostgreSQL through the pgtrail output plugin.
#include <iostream>

#include <CLI/CLI.hpp>

#include "config.h"
#include "run_command.h"

int main(int argc, char **argv) {
    CLI::App app{"pgtrail: tracks every change in a PostgreSQL database into a changes table", "pgtrail"};
    app.require_subcommand(1);
    pgtrail::RunConfig run_config;
    CLI::App *run = app.add_subcommand("run", "Stream the source's changes into the changes table (exactly once)");
    pgtrail::add_run_options(*run, run_config);
    CLI11_PARSE(app, argc, argv);
    if (run->parsed()) {
        try {
            pgtrail::resolve_run_config(run_config);
        } catch (const std::exception &error) {
            std::cerr << "pgtrail run: " << error.what() << "\n";
            return 2;
        }
        return pgtrail::run_command(run_config);
    }
    return 0;
}
