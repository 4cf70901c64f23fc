// Context stitching.
#include "stream/stitcher.h"

#include <algorithm>

#include "pg/copy_text.h"
#include "json_escape.h"

namespace pgtrail {

namespace {

constexpr std::string_view kHeartbeatPrefix = "_bemi_heartbeat";

}  // namespace

ContextStitcher::ContextStitcher(std::vector<std::string> prefixes, std::size_t max_bytes)
    : prefixes_(std::move(prefixes)), max_bytes_(max_bytes) {}

void ContextStitcher::begin() {
    current_ = "{}";
    warned_ = false;
}

bool ContextStitcher::is_context_prefix(std::string_view prefix) const {
    if (prefix == kHeartbeatPrefix) return false;
    for (const auto &p : prefixes_)
        if (p == prefix) return true;
    return false;
}

std::optional<std::string> ContextStitcher::on_message(bool transactional, std::string_view prefix,
                                                       std::string_view content) {
    if (!transactional || !is_context_prefix(prefix)) return std::nullopt;
    if (content.size() <= max_bytes_ && is_json_object(content)) {
        current_.assign(content);
        return std::nullopt;
    }
    store_raw(content);
    if (warned_) return std::nullopt;
    warned_ = true;
    return content.size() > max_bytes_ ? "context message larger than " + std::to_string(max_bytes_) +
                                             " bytes stored truncated as {\"_raw\": ...}"
                                       : std::string("context message is not a JSON object; stored as {\"_raw\": ...}");
}

bool ContextStitcher::is_json_object(std::string_view content) {
    // jsonb refuses \u0000, so such a context could never be stored as is.
    if (content.find("\\u0000") != std::string_view::npos) return false;
    if (content.empty()) return false;  // (and simdjson would memcpy from a null pointer)
    simdjson::dom::element doc;
    if (validator_.parse(content.data(), content.size(), true).get(doc)) return false;
    return doc.is_object();
}

void ContextStitcher::store_raw(std::string_view content) {
    // Cut at a character boundary (the plugin hands us valid UTF-8).
    std::size_t keep = utf8_valid_prefix(content.data(), std::min(content.size(), max_bytes_));
    current_ = "{\"_raw\":";
    append_json_string(current_, content.substr(0, keep));
    current_.push_back('}');
}

}  // namespace pgtrail
