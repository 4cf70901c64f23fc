// The plugin's options, parsed from the slot's START_REPLICATION / get_changes
// arguments: pure C++, no PostgreSQL headers, so the unit tests cover them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "column_policy.h"
#include "name_pattern.h"

namespace pgtrail {

struct PluginOptions {
    std::vector<std::string> publications;      ///< empty: every table, every action
    std::vector<TablePattern> include_tables;   ///< empty: every table
    std::vector<TablePattern> exclude_tables;
    std::vector<std::string> exclude_origins{"pgtrail*"};  ///< globs over origin names
    bool all_messages = true;                   ///< no `messages` option given
    std::vector<std::string> messages;          ///< globs over message prefixes
    bool skip_empty_xacts = true;
    bool partition_root = true;                 ///< report partitions under their root table
    std::vector<ColumnPattern> redact;          ///< columns whose values never leave the server
    std::string redact_key;                     ///< HMAC key (bytes) for redacted values; empty: fixed marker
    std::vector<ColumnPattern> ignore_columns;  ///< an UPDATE changing only these is not written
    int max_message_bytes = 0;                  ///< a longer record is written in pieces (FORMAT.md); 0: never
};

/// The smallest max-message-bytes: a piece holds its marker and at least one whole UTF-8 character.
inline constexpr int kMinMessageBytes = 8;

/// Applies one option. value is NULL when the option was given without one.
/// Throws std::invalid_argument with a message naming the option and what it accepts.
void apply_option(PluginOptions &options, std::string_view name, const char *value);

/// True when a table passes include-tables and exclude-tables.
bool table_is_tracked(const PluginOptions &options, std::string_view schema, std::string_view table);

/// True when messages with this prefix are emitted.
bool message_is_tracked(const PluginOptions &options, std::string_view prefix);

}  // namespace pgtrail
