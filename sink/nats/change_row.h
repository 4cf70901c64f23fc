// A writer's side of the change lines (nats/change_json.h): each line back into one COPY text
// row of the changes table (stream/change_encoder.h's columns), images and context passed
// through as JSON (with \u0000, which jsonb refuses, made \ufffd as run does). Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace pgtrail {

/// A message body that is not pgtrail's change lines. Its text never holds row data.
struct ChangeLineError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ChangeRows {
public:
    /// Appends the COPY rows of every line in body to out; returns how many changes.
    std::size_t append(std::string &out, std::string_view body);

private:
    void append_line(std::string &out, std::string_view line);

    simdjson::ondemand::parser parser_;
    std::string buffer_;  ///< one line, padded for simdjson
};

}  // namespace pgtrail
