// A change the destination refuses (a "poison row", e.g. a json value whose number jsonb
// cannot hold): the pure parts of storing it in the closest faithful form. The COPY row is
// taken apart, each image split into its columns, a refused column replaced by its JSON text
// as a JSON string (or, when jsonb refuses even that, by a placeholder as the plugin writes
// one), and the column listed in lossy (docs/FORMAT.md, docs/SINK.md). Pure C++.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/events.h"

namespace pgtrail {

/// Errors caused by the data itself: SQLSTATE class 22 (data exception) and 54 (program limit
/// exceeded). Sending the same rows again cannot help; storing them differently can.
bool is_data_error(std::string_view sqlstate);

/// "SQLSTATE 22003, data exception": the code, with the class named for 22, 23 and 54.
std::string sqlstate_text(std::string_view sqlstate);

/// What to log of a destination error: for SQLSTATE classes 22, 23 and 54, whose messages may
/// quote a row's value, the SQLSTATE and its class only; else the message.
std::string loggable_error(std::string_view sqlstate, std::string_view message);

/// One text-format COPY row of the changes table (kCopyColumns), fields still COPY-escaped.
struct CopyRow {
    static constexpr std::size_t kCommitLsn = 0, kOrdinal = 1, kPosition = 2, kOperation = 6, kSchema = 8,
                                 kTable = 9, kBefore = 11, kAfter = 12, kLossy = 15, kMovedFrom = 16, kFields = 17;
    std::vector<std::string> fields;
};

/// Splits one row (without its '\n'); nullopt when it does not have kFields fields.
std::optional<CopyRow> split_copy_row(std::string_view line);
/// The row as COPY text, ending in '\n'.
std::string join_copy_row(const CopyRow &row);
/// Undoes COPY text escaping (\\ \n \r \t and the other backslash escapes of COPY).
std::string copy_unescape(std::string_view field);
/// COPY text (whole rows, each ending in '\n') split into its rows, '\n' included.
std::vector<std::string_view> copy_rows(std::string_view rows);

/// One top-level member of a row image.
struct ImageColumn {
    std::string name;   ///< unescaped
    std::string value;  ///< raw JSON text
};

/// The members of a JSON object, in order; nullopt when json is not an object that parses.
std::optional<std::vector<ImageColumn>> split_image(std::string_view json);
/// The members written back as one JSON object.
std::string join_image(const std::vector<ImageColumn> &columns);

/// A value's JSON text as a JSON string: the closest faithful form jsonb can hold.
std::string json_text_as_string(std::string_view value);
/// "<pgtrail: value of N bytes omitted: REASON>" as a JSON string, as the plugin writes it.
std::string omitted_placeholder(std::size_t bytes, std::string_view reason);
/// True for a value written by omitted_placeholder (or by the plugin).
bool is_placeholder(std::string_view value);

/// The names in a COPY-escaped text[] field as the encoder writes it (\N: none).
std::vector<std::string> parse_lossy_field(std::string_view field);
/// The COPY-escaped text[] field for names (\N when empty).
std::string lossy_field(const std::vector<std::string> &names);

/// Appends name unless names has it.
void add_once(std::vector<std::string> &names, const std::string &name);

/// A change with some values replaced by their JSON text as a string and listed in lossy.
/// event's views point into this object's strings: fill it in place, never move it.
struct TextedChange {
    std::string before, after;
    std::vector<std::string> lossy_names;
    std::vector<std::string> texted;  ///< the columns replaced here, for the log
    RowChangeEvent event;
};

/// When the change's images hold numbers jsonb cannot hold (stream/jsonb_numbers.h), fills out
/// with those columns as their text, added to lossy, and returns true; else returns false.
bool text_unholdable_numbers(const RowChangeEvent &event, TextedChange &out);

}  // namespace pgtrail
