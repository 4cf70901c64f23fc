// A change as one line of JSON with the fields of a changes row (docs/FORMAT.md, "NATS
// JetStream"): what the reader publishes and a writer turns back into a COPY row. Images,
// context and key are passed through as the decoder gave them. Pure C++.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "decode/events.h"

namespace pgtrail {

class ChangeJson {
public:
    explicit ChangeJson(std::string_view database);

    /// A transaction starts; its ordinals count from 0.
    void begin(const BeginEvent &begin);
    /// The context for the changes that follow (JSON object text).
    void set_context(std::string_view context);
    /// The line of a row change (newline included) into out; returns its ordinal.
    std::uint32_t add(std::string &out, const RowChangeEvent &change, std::string_view queued_at);
    /// The line of a truncated table into out; returns its ordinal.
    std::uint32_t add(std::string &out, const TruncateEvent &truncate, std::string_view queued_at);

    std::string_view database() const { return database_; }
    /// Changes of the open transaction so far.
    std::uint32_t xact_changes() const { return ordinal_; }

private:
    void append_head(std::string &out, std::uint64_t lsn, char op, std::string_view schema, std::string_view table,
                     std::string_view queued_at);
    static void append_names(std::string &out, const std::vector<std::string_view> &names);

    std::string database_;
    std::string commit_lsn_, xid_, committed_at_;  ///< of the open transaction, rendered
    std::string context_ = "{}";
    std::uint32_t ordinal_ = 0;
};

}  // namespace pgtrail
