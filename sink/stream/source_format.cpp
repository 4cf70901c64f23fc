// The plugins' options and decoders.
#include "stream/source_format.h"

#include "decode/pgoutput_decoder.h"
#include "decode/pgtrail_decoder.h"
#include "column_policy.h"
#include "name_pattern.h"
#include "pg/replication_stream.h"

namespace pgtrail {

namespace {

/// exclude-tables: the changes table is only ours to skip when it lives in the source (else it is the user's table).
/// So are pgtrail's own tables (pgtrail.progress, where a writer that may not use origins keeps its
/// progress; pgtrail.schema_version, pgtrail.sources, pgtrail.gaps): those writes carry no origin for exclude-origins to skip.
std::string excluded_tables(const RunConfig &config, const std::string &changes_table) {
    std::string exclude = config.destination_is_source ? changes_table + ",pgtrail.*" : "";
    if (!config.exclude_tables.empty()) exclude += (exclude.empty() ? "" : ",") + config.exclude_tables;
    return exclude;
}

std::string message_prefixes(const RunConfig &config) {
    std::string messages;
    for (const auto &prefix : config.context_prefixes) messages += (messages.empty() ? "" : ",") + prefix;
    return messages;
}

std::string pgtrail_plugin_options(const RunConfig &config, const std::string &changes_table) {
    std::string exclude = excluded_tables(config, changes_table);
    std::string options;
    auto add = [&options](const char *name, const std::string &value) {
        if (value.empty()) return;
        options += (options.empty() ? "\"" : ", \"") + std::string(name) + "\" " + replication_literal(value);
    };
    add("exclude-tables", exclude);
    add("exclude-origins", config.exclude_origins);
    add("messages", message_prefixes(config));
    add("publications", config.publication);
    add("include-tables", config.include_tables);
    // The plugin redacts inside the server: the secret never reaches the sink.
    add("redact", config.redact);
    if (config.redact_hash) add("redact-key", encode_hex(config.redact_key));
    add("ignore-columns", config.ignore_columns);
    return options;
}

/// pgoutput does what the plugin's options do in the sink: the same lists, parsed as the plugin parses them.
PgoutputFilters pgoutput_filters(const RunConfig &config, const std::string &changes_table) {
    constexpr ListSyntax kGlobs{true, false};
    PgoutputFilters filters;
    if (!config.exclude_origins.empty()) filters.exclude_origins = parse_name_list(config.exclude_origins, kGlobs);
    if (!config.include_tables.empty()) filters.include_tables = parse_table_patterns(config.include_tables);
    std::string exclude = excluded_tables(config, changes_table);
    if (!exclude.empty()) filters.exclude_tables = parse_table_patterns(exclude);
    std::string messages = message_prefixes(config);
    filters.messages = messages.empty() ? std::vector<std::string>{"*"} : parse_name_list(messages, kGlobs);
    if (!config.redact.empty()) filters.redact = parse_column_patterns(config.redact);
    if (config.redact_hash) filters.redact_key = config.redact_key;
    if (!config.ignore_columns.empty()) filters.ignore_columns = parse_column_patterns(config.ignore_columns);
    return filters;
}

}  // namespace

SourceFormat make_source_format(const RunConfig &config, const std::string &changes_table, const std::string &plugin) {
    if (plugin == "pgoutput") {
        // Protocol 1 with messages (PostgreSQL 14+): context messages arrive, values as text.
        std::string options = "proto_version '1', publication_names " + replication_literal(config.pgoutput_publications()) + ", messages 'true'";
        return SourceFormat{options, std::make_unique<PgoutputDecoder>(pgoutput_filters(config, changes_table))};
    }
    std::string options = pgtrail_plugin_options(config, changes_table);
    std::string pieces = "\"max-message-bytes\" '" + std::to_string(kMaxMessageBytes) + "'";
    return SourceFormat{options.empty() ? pieces : options + ", " + pieces, std::make_unique<PgtrailDecoder>(), options};
}

bool plugin_predates_pieces(const std::string &start_error) {
    return start_error.find("unknown option \"max-message-bytes\"") != std::string::npos;
}

}  // namespace pgtrail
