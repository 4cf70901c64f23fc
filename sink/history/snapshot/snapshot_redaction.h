// --redact for SNAPSHOT rows: the redacted columns are read apart from the row image (which the
// source sends without them), replaced by the marker or their keyed hash, and put back, so the
// value never reaches the changes table. Tables without redacted columns are read as before.
#pragma once

#include <string>
#include <vector>

#include "decode/value_redaction.h"

namespace pgtrail {

struct SnapshotRedaction {
    std::vector<std::string> columns;      ///< the table's redacted columns, in column order
    std::vector<std::string> key_columns;  ///< the key, when one of its columns is redacted (else empty)
    bool empty() const { return columns.empty(); }
};

/// The SELECT list after the key: the image without the redacted columns, then each redacted
/// column's JSON, then (key_columns) each key column's JSON. image_sql is the row's jsonb.
std::string redacted_select_list(const std::string &image_sql, const std::string &row_alias, const std::vector<std::string> &literals,
                                 const std::vector<std::string> &idents, const std::vector<std::string> &key_idents);

/// Rewrites one COPY line read with redacted_select_list into "key<TAB>image" with every redacted
/// value replaced; the key is rebuilt from the redacted values when the plan has key_columns.
void redact_snapshot_line(std::string &line, const SnapshotRedaction &plan, const ValueRedactor &redactor);

}  // namespace pgtrail
