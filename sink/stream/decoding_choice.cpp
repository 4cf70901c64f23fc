// The --plugin auto rule.
#include "stream/decoding_choice.h"

namespace pgtrail {

DecodingChoice choose_decoding(const std::string &requested, const DecodingFacts &facts) {
    if (requested == "pgtrail" || requested == "pgoutput") return {requested, "--plugin " + requested};
    if (facts.slot_plugin) return {*facts.slot_plugin, "the existing slot decodes with " + *facts.slot_plugin};
    if (facts.pgtrail_listed == false) return {"pgoutput", "output_plugin_libraries does not list pgtrail"};
    if (facts.pgtrail_loads == false) return {"pgoutput", "the pgtrail plugin cannot be loaded on the source"};
    if (facts.pgtrail_loads == true) return {"pgtrail", "the pgtrail plugin is allowed and loads"};
    return {"pgtrail", "the pgtrail plugin is assumed to load (not tried)"};
}

bool needs_load_probe(const std::string &requested, const DecodingFacts &facts) {
    return requested == "auto" && !facts.slot_plugin && facts.pgtrail_listed != false && !facts.pgtrail_loads;
}

}  // namespace pgtrail
