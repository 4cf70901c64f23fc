#include "options.h"

#include <charconv>
#include <stdexcept>

namespace pgtrail {

namespace {

using Setter = void (*)(PluginOptions &, std::string_view);

struct OptionSpec {
    const char *name;
    const char *accepts;  ///< shown in errors
    Setter set;
};

constexpr ListSyntax kIdentifiers{false, true};  // publication names, as SQL identifiers
constexpr ListSyntax kGlobs{true, false};        // origin names and message prefixes, literal case

bool parse_bool_value(std::string_view value, bool *out) {
    std::string v;
    for (char c : value)
        v += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (v == "true" || v == "on" || v == "yes" || v == "1") return *out = true, true;
    if (v == "false" || v == "off" || v == "no" || v == "0") return *out = false, true;
    return false;
}

// 0 (never split) or kMinMessageBytes to 1 GB (MaxAllocSize): a whole decimal number.
void set_message_bytes(PluginOptions &options, std::string_view value) {
    constexpr int kMax = 0x3fffffff;
    int bytes = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), bytes);
    if (error != std::errc() || end != value.data() + value.size() || bytes < 0 || bytes > kMax ||
        (bytes > 0 && bytes < kMinMessageBytes))
        throw std::invalid_argument("");
    options.max_message_bytes = bytes;
}

template <bool PluginOptions::*Field>
void set_bool(PluginOptions &options, std::string_view value) {
    if (!parse_bool_value(value, &(options.*Field)))
        throw std::invalid_argument("");
}

const OptionSpec kOptions[] = {
    {"publications", "a comma-separated list of publication names",
     [](PluginOptions &o, std::string_view v) { o.publications = parse_name_list(v, kIdentifiers); }},
    {"include-tables", "a comma-separated list of schema.table patterns (* matches any characters)",
     [](PluginOptions &o, std::string_view v) { o.include_tables = parse_table_patterns(v); }},
    {"exclude-tables", "a comma-separated list of schema.table patterns (* matches any characters)",
     [](PluginOptions &o, std::string_view v) { o.exclude_tables = parse_table_patterns(v); }},
    {"exclude-origins", "a comma-separated list of replication origin names (* matches any characters), or an empty string",
     [](PluginOptions &o, std::string_view v) {
         o.exclude_origins = v.empty() ? std::vector<std::string>{} : parse_name_list(v, kGlobs);
     }},
    {"messages", "a comma-separated list of message prefixes (* matches any characters), or an empty string for none",
     [](PluginOptions &o, std::string_view v) {
         o.all_messages = false;
         o.messages = v.empty() ? std::vector<std::string>{} : parse_name_list(v, kGlobs);
     }},
    {"redact", "a comma-separated list of schema.table.column patterns (* matches any characters)",
     [](PluginOptions &o, std::string_view v) { o.redact = parse_column_patterns(v); }},
    {"redact-key", "the HMAC key as an even number of hex digits",
     [](PluginOptions &o, std::string_view v) {
         o.redact_key = decode_hex(v);
         if (o.redact_key.empty()) throw std::invalid_argument("an empty key");
     }},
    {"ignore-columns", "a comma-separated list of schema.table.column patterns (* matches any characters)",
     [](PluginOptions &o, std::string_view v) { o.ignore_columns = parse_column_patterns(v); }},
    {"max-message-bytes", "0 (never split a record) or a number of bytes from 8 to 1073741823",
     set_message_bytes},
    {"skip-empty-xacts", "a boolean (true/false, on/off, yes/no, 1/0)", set_bool<&PluginOptions::skip_empty_xacts>},
    {"partition-root", "a boolean (true/false, on/off, yes/no, 1/0)", set_bool<&PluginOptions::partition_root>},
};

std::string option_names() {
    std::string names;
    for (const auto &spec : kOptions)
        names += (names.empty() ? "" : ", ") + std::string(spec.name);
    return names;
}

}  // namespace

void apply_option(PluginOptions &options, std::string_view name, const char *value) {
    for (const auto &spec : kOptions) {
        if (name != spec.name) continue;
        // An option given without a value means "on" for booleans, and is an error otherwise.
        bool boolean = spec.set == set_bool<&PluginOptions::skip_empty_xacts> ||
                       spec.set == set_bool<&PluginOptions::partition_root>;
        if (!value && !boolean)
            throw std::invalid_argument(std::string("option \"") + spec.name + "\" needs a value: " +
                                        spec.accepts);
        std::string_view text = value ? std::string_view(value) : std::string_view("true");
        try {
            spec.set(options, text);
        } catch (const std::invalid_argument &e) {
            std::string detail = e.what();
            // A key is never echoed: errors reach the server log and the client.
            std::string shown = name == "redact-key" ? "(hidden)" : std::string(value ? value : "");
            throw std::invalid_argument("could not parse value \"" + shown +
                                        "\" for option \"" + spec.name + "\": expected " + spec.accepts +
                                        (detail.empty() ? "" : " (" + detail + ")"));
        }
        return;
    }
    throw std::invalid_argument("unknown option \"" + std::string(name) +
                                "\"; pgtrail accepts: " + option_names());
}

bool table_is_tracked(const PluginOptions &options, std::string_view schema, std::string_view table) {
    if (!options.include_tables.empty() && !any_table_matches(options.include_tables, schema, table))
        return false;
    return !any_table_matches(options.exclude_tables, schema, table);
}

bool message_is_tracked(const PluginOptions &options, std::string_view prefix) {
    return options.all_messages || any_name_matches(options.messages, prefix);
}

}  // namespace pgtrail
