// Parses the plugin's JSON records (docs/FORMAT.md) with simdjson On-Demand.
// Images are passed through as raw JSON text; nothing is re-serialised. Pure C++.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "decode/events.h"

namespace pgtrail {

/// One decoded record. Views point into the parser and stay valid until its next parse().
struct Record {
    char op = 0;                    ///< B I U D T M C
    std::uint32_t xid = 0;          ///< B, C
    std::uint64_t lsn = 0;          ///< B: commit lsn; C: commit end lsn; others: the change's lsn
    std::string_view ts;            ///< B, C: commit time as written
    std::string_view schema, table; ///< I U D T (unescaped)
    std::vector<std::string_view> pk;           ///< key column names (unescaped)
    std::string_view before, after;             ///< raw JSON objects, empty when absent
    std::vector<KeyValue> before_key, after_key;///< pk values in pk order, when the image has them all
    std::vector<std::string_view> unchanged;    ///< unchanged TOASTed columns (unescaped)
    std::vector<std::string_view> lossy;        ///< columns holding placeholders, not to_jsonb's value (unescaped)
    bool cascade = false;           ///< T
    bool restart_identity = false;  ///< T
    bool transactional = false;     ///< M
    std::string_view prefix;        ///< M (unescaped)
    std::string_view content;       ///< M (unescaped)
};

/// A record that does not follow the format.
struct RecordError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Reuses one simdjson parser and one padded buffer for a stream of records.
class RecordParser {
public:
    /// Parses one record (copied into the parser's padded buffer); throws RecordError when it is malformed.
    const Record &parse(std::string_view json);
    /// The same for a record followed by at least kPayloadPadding readable bytes, parsed where it
    /// lies; the views then point into json.
    const Record &parse_padded(std::string_view json);
    /// Frees the memory a huge record needed once its views are no longer used.
    void release_large_buffers();

private:
    /// Parses [json, json + len) with capacity readable bytes from json.
    const Record &parse_at(const char *json, std::size_t len, std::size_t capacity);
    void parse_field(std::string_view key, simdjson::ondemand::value value);
    void parse_image(simdjson::ondemand::value value, std::string_view &raw, std::vector<KeyValue> &key);
    /// Appends the array's strings to items.
    void parse_string_array(simdjson::ondemand::value value, std::vector<std::string_view> &items);
    /// Empties record_ for the next record.
    void reset_record();

    simdjson::ondemand::parser parser_;
    simdjson::ondemand::document doc_;
    std::string buffer_;  ///< the record plus SIMDJSON_PADDING
    Record record_;
};

}  // namespace pgtrail
