// The NATS subjects changes are published on: <stream>.<database>.<schema>.<table>, one token
// per name. A subject token may not hold '.', '*', '>' or white space, so every byte outside
// [A-Za-z0-9_-] is written as %XX (docs/FORMAT.md, "NATS JetStream"). Pure C++.
#pragma once

#include <string>
#include <string_view>

namespace pgtrail {

/// name as one subject token (percent-encoded, never empty: "" is "%").
std::string subject_token(std::string_view name);

/// The subject of a table's changes.
std::string change_subject(std::string_view stream, std::string_view database, std::string_view schema, std::string_view table);

/// The stream's subjects: "<stream>.>".
std::string stream_subjects(std::string_view stream);

}  // namespace pgtrail
