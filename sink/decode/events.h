// The seam between source formats and the rest of the sink: a decoder turns what the slot
// sends into these events; the session, stitcher and encoder know nothing else of the format.
// String views stay valid until the decoder's next decode(). Pure C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace pgtrail {

/// One key column's value as found in an image.
struct KeyValue {
    std::string_view raw;   ///< the JSON token as written (e.g. 42, "a\"b", null)
    std::string_view text;  ///< the unescaped string for JSON strings, else equal to raw
    bool is_string = false;
    bool is_null = false;
};

/// A source transaction starts.
struct BeginEvent {
    std::uint32_t xid = 0;
    std::uint64_t commit_lsn = 0;   ///< the start of its commit record (the rows' commit_lsn)
    std::string_view commit_time;   ///< ISO 8601 with offset, as to_jsonb renders timestamptz
};

/// A row was inserted ('I'), updated ('U') or deleted ('D').
struct RowChangeEvent {
    char op = 0;
    std::uint64_t lsn = 0;
    std::string_view schema, table;              ///< the reported relation (a partition's root when published so)
    std::vector<std::string_view> key_columns;   ///< the identity's columns, in key order
    std::string_view before, after;              ///< to_jsonb-equal JSON objects, empty when absent
    std::vector<KeyValue> before_key, after_key; ///< key values in key order, when the image has them all
    std::vector<std::string_view> unchanged;     ///< unchanged TOASTed columns left out of after
    std::vector<std::string_view> lossy;         ///< columns whose value in before or after is not to_jsonb's (FORMAT.md)
    bool images_releasable = false;  ///< before and after are read once: their pages may be given back as they are sent
};

/// A table was truncated (one event per table).
struct TruncateEvent {
    std::uint64_t lsn = 0;
    std::string_view schema, table;
    bool cascade = false;
    bool restart_identity = false;
};

/// A logical decoding message (pg_logical_emit_message).
struct MessageEvent {
    std::uint64_t lsn = 0;
    bool transactional = false;
    std::string_view prefix;
    std::string_view content;
};

/// The source transaction committed.
struct CommitEvent {
    std::uint64_t end_lsn = 0;      ///< the end of its commit record (what is confirmed to the source)
    std::string_view commit_time;
};

/// What a decoder drives.
class EventHandler {
public:
    virtual ~EventHandler() = default;
    virtual void on_begin(const BeginEvent &event) = 0;
    virtual void on_row_change(const RowChangeEvent &event) = 0;
    virtual void on_truncate(const TruncateEvent &event) = 0;
    virtual void on_message(const MessageEvent &event) = 0;
    virtual void on_commit(const CommitEvent &event) = 0;
};

/// A slot message that does not follow its format. Its text never holds row data.
struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Readable bytes after the end of a payload given to Decoder::decode_padded (simdjson's padding).
inline constexpr std::size_t kPayloadPadding = 64;

/// Turns one message of the slot (the payload of an XLogData) into events.
class Decoder {
public:
    virtual ~Decoder() = default;
    /// wal_start is the XLogData's start position. Throws DecodeError.
    virtual void decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) = 0;
    /// The same for a payload followed by at least kPayloadPadding readable bytes (the replication
    /// stream's messages are), which a decoder may then read where it lies instead of copying it.
    virtual void decode_padded(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) {
        decode(payload, wal_start, handler);
    }
    /// A query the decoder needs answered on a plain (non-replication) connection to the source
    /// before the next decode(), e.g. catalog lookups; nullopt when none. Asked again after each answer.
    virtual std::optional<std::string> catalog_query() { return std::nullopt; }
    /// The answer to the last catalog_query(): the first column of each row.
    virtual void on_catalog_rows(const std::vector<std::string> & /*rows*/) {}
};

}  // namespace pgtrail
