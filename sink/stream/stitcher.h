// Context stitching: transactional messages with a context prefix (default _bemi) carry
// application context as JSON; each change gets the latest one before it in its
// transaction, else {}. Pure C++.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace pgtrail {

class ContextStitcher {
public:
    static constexpr std::size_t kDefaultMaxBytes = 1024 * 1024;

    explicit ContextStitcher(std::vector<std::string> prefixes, std::size_t max_bytes = kDefaultMaxBytes);

    /// A new source transaction: context back to {}.
    void begin();

    /// A logical message. Returns a warning to log (at most one per transaction) when the
    /// context had to be stored as {"_raw": ...}.
    std::optional<std::string> on_message(bool transactional, std::string_view prefix, std::string_view content);

    /// The context for the next change, as JSON object text.
    std::string_view current() const { return current_; }

    /// True when the prefix carries context (heartbeats never do).
    bool is_context_prefix(std::string_view prefix) const;

private:
    bool is_json_object(std::string_view content);
    void store_raw(std::string_view content);

    std::vector<std::string> prefixes_;
    std::size_t max_bytes_;
    std::string current_ = "{}";
    bool warned_ = false;
    simdjson::dom::parser validator_;
};

}  // namespace pgtrail
