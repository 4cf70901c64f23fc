// Turns a source transaction's records into rows of a text COPY into the changes table.
// A transaction's rows wait in memory until its commit record gives commit_lsn (the
// commit's end LSN); a transaction bigger than the buffer limit is streamed instead under
// a provisional commit_lsn (-commit start LSN) that the writer fixes with one UPDATE before
// the batch commits. Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "record_parser.h"

namespace pgtrail {

/// The COPY column list matching the rows ChangeEncoder writes.
inline constexpr const char *kCopyColumns =
    "(commit_lsn, ordinal, position, transaction_id, committed_at, queued_at, operation, database, "
    "schema, \"table\", primary_key, before, after, context, unchanged)";

/// A streamed transaction whose rows carry a provisional commit_lsn.
struct CommitLsnFixup {
    std::int64_t provisional;
    std::uint64_t commit_lsn;
};

class ChangeEncoder {
public:
    ChangeEncoder(std::string_view database, std::size_t xact_buffer_limit);

    /// B record: a transaction starts.
    void begin(const Record &begin);
    /// The context for the changes that follow (JSON object text).
    void set_context(std::string_view context);
    /// I U D T record.
    void add(const Record &change, std::string_view queued_at);
    /// C record: the transaction's rows become final.
    void commit(const Record &commit);

    /// Bytes that can be sent to COPY now.
    std::string_view ready() const { return std::string_view(out_).substr(0, ready_); }
    /// Drops the bytes returned by ready() once sent.
    void consume_ready();
    /// Forgets everything (the batch was rolled back or committed).
    void reset();

    const std::vector<CommitLsnFixup> &fixups() const { return fixups_; }
    std::uint32_t xact_changes() const { return ordinal_; }
    /// True while the open transaction's rows go out under a provisional commit_lsn.
    bool streaming() const { return streaming_; }
    std::size_t buffered_bytes() const { return out_.size(); }
    /// \u0000 escapes replaced by \ufffd so far (json columns can hold them, jsonb cannot).
    std::size_t nul_escapes() const { return nul_escapes_; }

private:
    void append_row(const Record &change, std::string_view queued_at);
    void start_streaming();
    void patch_placeholders(std::string_view value);

    std::string database_;        ///< COPY-escaped source database name
    std::size_t xact_buffer_limit_;
    std::string out_;             ///< COPY text: final rows, then the open transaction's rows
    std::size_t ready_ = 0;       ///< out_[0, ready_) is final
    std::vector<std::size_t> placeholders_;  ///< offsets of the open transaction's commit_lsn fields
    bool streaming_ = false;
    std::string provisional_;     ///< commit_lsn text used while streaming
    std::vector<CommitLsnFixup> fixups_;
    // The open transaction.
    std::uint64_t commit_start_ = 0;
    std::string xid_;
    std::string committed_at_;
    std::string context_ = "{}";  ///< COPY-escaped
    std::uint32_t ordinal_ = 0;
    std::size_t nul_escapes_ = 0;
};

/// The operation column for a record op (I U D T).
std::string_view operation_name(char op);

/// commit_lsn as a fixed-width (20 character) COPY field.
std::string fixed_width_number(std::int64_t value);

}  // namespace pgtrail
