// The changes table's primary_key column, rendered from a change's key values. Pure C++.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decode/events.h"

namespace pgtrail {

/// Single key: the value's text (strings unquoted, numbers as written). Composite key:
/// a JSON array of the values. No key or no values (TRUNCATE, no key columns): nullopt.
std::optional<std::string> render_primary_key(const std::vector<KeyValue> &values);

/// The key values a change is identified by: the new row's, else the old row's.
const std::vector<KeyValue> &key_values_of(const RowChangeEvent &change);

/// The moved_from column: for an UPDATE that changed the row's key, the old key rendered like
/// primary_key; nullopt for every other change, and when the old image lacks a key column
/// (the move is then not known).
std::optional<std::string> render_moved_from(const RowChangeEvent &change);

}  // namespace pgtrail
