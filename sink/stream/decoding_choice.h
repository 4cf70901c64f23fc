// Which output plugin decodes the slot: --plugin pgtrail|pgoutput|auto. The auto rule: the
// existing slot's plugin; else pgtrail where the server allows it (output_plugin_libraries
// lists it, when visible) and it loads; else pgoutput, which every server has. Pure C++:
// `check`, `setup` and `run` gather the facts, this decides.
#pragma once

#include <optional>
#include <string>

namespace pgtrail {

/// What the source says about the plugins.
struct DecodingFacts {
    std::optional<std::string> slot_plugin;  ///< the slot's plugin when the slot exists
    /// output_plugin_libraries: true when it lists pgtrail (or *), false when it does not,
    /// nullopt when the server has none or the user may not read it.
    std::optional<bool> pgtrail_listed;
    /// A temporary slot with the pgtrail plugin: true when it loaded, false when it could not
    /// (not allowed, not installed), nullopt when not tried.
    std::optional<bool> pgtrail_loads;
};

struct DecodingChoice {
    std::string plugin;  ///< "pgtrail" or "pgoutput"
    std::string reason;  ///< one clause for logs and check, e.g. "the slot pgtrail uses it"
};

/// The plugin --plugin picks. requested is "auto", "pgtrail" or "pgoutput".
DecodingChoice choose_decoding(const std::string &requested, const DecodingFacts &facts);

/// True when auto still needs to try loading pgtrail to decide (no slot, not refused by the list).
bool needs_load_probe(const std::string &requested, const DecodingFacts &facts);

}  // namespace pgtrail
