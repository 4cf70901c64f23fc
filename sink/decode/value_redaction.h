// What a redacted value becomes in the sink (pgoutput mode and snapshot rows): the plugin's
// fixed marker, or with a key the HMAC-SHA256 of the value's JSON text, as the plugin writes
// it in pgtrail mode. Pure C++ (OpenSSL's HMAC).
#pragma once

#include <string>
#include <string_view>

namespace pgtrail {

class ValueRedactor {
public:
    /// key empty: the fixed marker (column_policy.h kRedactedJson).
    explicit ValueRedactor(std::string key = {}) : key_(std::move(key)) {}
    /// Appends the JSON that stands for the value whose JSON text is value_json (never null).
    void append(std::string &out, std::string_view value_json) const;

private:
    std::string key_;
};

}  // namespace pgtrail
