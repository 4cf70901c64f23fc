// Turns a source transaction's events into rows of a text COPY into the changes table.
// commit_lsn is the commit record's start LSN, which the begin event carries, so every row is
// final as soon as it is encoded and can go to COPY at once. Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decode/events.h"
#include "decode/page_release.h"

namespace pgtrail {

/// The COPY column list matching the rows ChangeEncoder writes.
inline constexpr const char *kCopyColumns =
    "(commit_lsn, ordinal, position, transaction_id, committed_at, queued_at, operation, database, "
    "schema, \"table\", primary_key, before, after, context, unchanged, lossy, moved_from)";

class ChangeEncoder {
public:
    explicit ChangeEncoder(std::string_view database);

    /// A transaction starts; its commit_lsn (the commit record's start) is its rows' commit_lsn,
    /// their ordinals count from first_ordinal.
    void begin(const BeginEvent &begin, std::uint32_t first_ordinal = 0);
    /// The context for the changes that follow (JSON object text).
    void set_context(std::string_view context);
    /// A row change.
    void add(const RowChangeEvent &change, std::string_view queued_at);
    /// A truncated table: a row with no key and no images.
    void add(const TruncateEvent &truncate, std::string_view queued_at);

    /// The next COPY bytes to send, empty once everything is sent: rows as encoded, or the next
    /// piece of a huge image, COPY-escaped only now so that its escaped copy never exists whole.
    std::string_view ready();
    /// Drops the bytes the last ready() returned, once sent (and the memory a huge row needed).
    void consume_ready();
    /// Bytes encoded and not sent yet (a huge image counted as it stands).
    std::size_t pending() const;
    /// True while a huge image waits to be sent: it points into the decoder's message, so
    /// everything must be sent before the next message is decoded.
    bool holds_views() const { return !deferred_.empty(); }
    /// Whether huge images wait to be sent in pieces (true) or are escaped into the rows at once
    /// (false: careful mode, whose writer takes whole rows). Changed only when nothing is pending.
    void set_stream_huge_images(bool on) { stream_huge_images_ = on; }

    /// Changes of the open transaction so far.
    std::uint32_t xact_changes() const { return ordinal_ - first_ordinal_; }
    /// \u0000 escapes replaced by \ufffd so far (json columns can hold them, jsonb cannot).
    std::size_t nul_escapes() const { return nul_escapes_; }

private:
    /// A huge image not escaped yet.
    struct Deferred {
        std::size_t at;         ///< where in out_ its escaped text belongs
        std::string_view json;  ///< what is left of it
        PageReleaser sent;      ///< gives its sent pages back (RowChangeEvent::images_releasable)
    };

    /// An image column's value: NULL, escaped into out_, or (huge) deferred.
    void append_image(std::string_view json, bool releasable);
    /// The columns every row starts with, up to and including "table".
    void append_row_head(std::uint64_t lsn, char op, std::string_view schema, std::string_view table,
                         std::string_view queued_at);

    std::string database_;        ///< COPY-escaped source database name
    std::string out_;             ///< COPY text not sent yet, from sent_ on
    std::size_t sent_ = 0;        ///< bytes of out_ already sent (up to a deferred image)
    std::vector<Deferred> deferred_;
    std::string piece_;           ///< the piece of deferred_.front() that ready() returned
    bool stream_huge_images_ = true;
    // The open transaction.
    std::string commit_lsn_;
    std::string xid_;
    std::string committed_at_;
    std::string context_ = "{}";  ///< COPY-escaped
    std::uint32_t first_ordinal_ = 0;
    std::uint32_t ordinal_ = 0;
    std::size_t nul_escapes_ = 0;
};

/// The operation column for an op (I U D T).
std::string_view operation_name(char op);

}  // namespace pgtrail
