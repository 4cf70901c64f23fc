// The pgtrail plugin's options and decoder.
#include "stream/source_format.h"

#include "decode/pgtrail_decoder.h"
#include "pg/replication_stream.h"

namespace pgtrail {

namespace {

std::string pgtrail_plugin_options(const RunConfig &config, const std::string &changes_table) {
    // The changes table is only ours to skip when it lives in the source (else it is the user's table).
    std::string exclude = config.destination_is_source ? changes_table : "";
    if (!config.exclude_tables.empty()) exclude += (exclude.empty() ? "" : ",") + config.exclude_tables;
    std::string options;
    auto add = [&options](const char *name, const std::string &value) {
        if (value.empty()) return;
        options += (options.empty() ? "\"" : ", \"") + std::string(name) + "\" " + sql_literal(value);
    };
    add("exclude-tables", exclude);
    add("exclude-origins", config.exclude_origins);
    std::string messages;
    for (const auto &prefix : config.context_prefixes) messages += (messages.empty() ? "" : ",") + prefix;
    add("messages", messages);
    add("publications", config.publication);
    add("include-tables", config.include_tables);
    return options;
}

}  // namespace

SourceFormat make_source_format(const RunConfig &config, const std::string &changes_table) {
    return SourceFormat{pgtrail_plugin_options(config, changes_table), std::make_unique<PgtrailDecoder>()};
}

}  // namespace pgtrail
