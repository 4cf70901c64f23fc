// `pgtrail ui`: the web UI over the changes table (docs/UI.md): a JSON API and the page, served
// by this binary, reading the destination through read-only sessions.
#pragma once

#include <string>

#include "config.h"

namespace CLI {
class App;
}

namespace pgtrail {

struct UiOptions {
    std::string listen = "127.0.0.1:8080";
    bool allow_revert = false;  ///< POST /api/revert applies reverts (after the page's confirmation)
};

void add_ui_options(CLI::App &ui, UiOptions &options);

/// Serves until SIGINT/SIGTERM. Exit status 0; 1 when the destination (or, with --allow-revert and a
/// separate destination, the source) cannot be used; 2 when the
/// address cannot be used (not host:port, or beyond loopback without PGTRAIL_UI_TOKEN).
int ui_command(const RunConfig &config, const UiOptions &options);

}  // namespace pgtrail
