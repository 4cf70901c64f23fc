// Turns a source transaction's records into rows of a text COPY into the changes table.
// commit_lsn is the commit record's start LSN, which the B record carries, so every row is
// final as soon as it is encoded and can go to COPY at once. Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decode/record_parser.h"

namespace pgtrail {

/// The COPY column list matching the rows ChangeEncoder writes.
inline constexpr const char *kCopyColumns =
    "(commit_lsn, ordinal, position, transaction_id, committed_at, queued_at, operation, database, "
    "schema, \"table\", primary_key, before, after, context, unchanged)";

class ChangeEncoder {
public:
    explicit ChangeEncoder(std::string_view database);

    /// B record: a transaction starts; its lsn (the commit record's start) is its rows' commit_lsn,
    /// their ordinals count from first_ordinal.
    void begin(const Record &begin, std::uint32_t first_ordinal = 0);
    /// The context for the changes that follow (JSON object text).
    void set_context(std::string_view context);
    /// I U D T record.
    void add(const Record &change, std::string_view queued_at);

    /// COPY rows not sent yet.
    std::string_view ready() const { return out_; }
    /// Drops the bytes returned by ready() once sent.
    void consume_ready() { out_.clear(); }

    /// Changes of the open transaction so far.
    std::uint32_t xact_changes() const { return ordinal_ - first_ordinal_; }
    /// \u0000 escapes replaced by \ufffd so far (json columns can hold them, jsonb cannot).
    std::size_t nul_escapes() const { return nul_escapes_; }

private:
    std::string database_;        ///< COPY-escaped source database name
    std::string out_;             ///< COPY text not sent yet
    // The open transaction.
    std::string commit_lsn_;
    std::string xid_;
    std::string committed_at_;
    std::string context_ = "{}";  ///< COPY-escaped
    std::uint32_t first_ordinal_ = 0;
    std::uint32_t ordinal_ = 0;
    std::size_t nul_escapes_ = 0;
};

/// The operation column for a record op (I U D T).
std::string_view operation_name(char op);

}  // namespace pgtrail
