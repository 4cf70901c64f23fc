// Taking a refused COPY row apart and writing its values in the closest faithful form.
#include "stream/poison_row.h"

#include <algorithm>

#include <simdjson.h>

#include "pg/copy_text.h"
#include "stream/jsonb_numbers.h"

namespace pgtrail {

namespace ondemand = simdjson::ondemand;

namespace {

constexpr std::string_view kCopyNull = "\\N";
constexpr std::string_view kPlaceholderStart = "\"<pgtrail: value of ";

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The raw JSON text of a member's value (objects and arrays whole, scalars as their token).
bool raw_value(ondemand::value value, std::string_view &raw) {
    ondemand::json_type type{};
    if (value.type().get(type)) return false;
    if (type == ondemand::json_type::object) {
        ondemand::object obj;
        return !value.get_object().get(obj) && !obj.raw_json().get(raw) && (raw = trim_right(raw), true);
    }
    if (type == ondemand::json_type::array) {
        ondemand::array arr;
        return !value.get_array().get(arr) && !arr.raw_json().get(raw) && (raw = trim_right(raw), true);
    }
    raw = trim_right(value.raw_json_token());
    return true;
}

}  // namespace

bool is_data_error(std::string_view sqlstate) {
    return sqlstate.size() == 5 && (sqlstate.substr(0, 2) == "22" || sqlstate.substr(0, 2) == "54");
}

namespace {

/// The name of the classes whose messages may quote a value, else empty.
std::string_view quoting_class_name(std::string_view sqlstate) {
    std::string_view error_class = sqlstate.size() == 5 ? sqlstate.substr(0, 2) : std::string_view();
    return error_class == "22"   ? "data exception"
           : error_class == "23" ? "integrity constraint violation"
           : error_class == "54" ? "program limit exceeded"
                                 : "";
}

}  // namespace

std::string sqlstate_text(std::string_view sqlstate) {
    std::string_view name = quoting_class_name(sqlstate);
    return "SQLSTATE " + std::string(sqlstate) + (name.empty() ? "" : ", " + std::string(name));
}

std::string loggable_error(std::string_view sqlstate, std::string_view message) {
    if (quoting_class_name(sqlstate).empty()) return std::string(message);
    return "the destination refused the data (" + sqlstate_text(sqlstate) + ")";
}

std::optional<CopyRow> split_copy_row(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    CopyRow row;
    std::size_t start = 0;
    for (;;) {
        std::size_t tab = line.find('\t', start);
        row.fields.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    if (row.fields.size() != CopyRow::kFields) return std::nullopt;
    return row;
}

std::string join_copy_row(const CopyRow &row) {
    std::string line;
    for (std::size_t i = 0; i < row.fields.size(); i++) {
        if (i > 0) line.push_back('\t');
        line.append(row.fields[i]);
    }
    line.push_back('\n');
    return line;
}

std::string copy_unescape(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); i++) {
        char c = field[i];
        if (c != '\\' || i + 1 == field.size()) {
            out.push_back(c);
            continue;
        }
        char letter = field[++i];
        switch (letter) {
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'v': out.push_back('\v'); break;
        default: out.push_back(letter); break;  // \\ and any other escaped character
        }
    }
    return out;
}

std::vector<std::string_view> copy_rows(std::string_view rows) {
    std::vector<std::string_view> out;
    while (!rows.empty()) {
        std::size_t end = rows.find('\n');
        std::size_t len = end == std::string_view::npos ? rows.size() : end + 1;
        out.push_back(rows.substr(0, len));
        rows.remove_prefix(len);
    }
    return out;
}

std::optional<std::vector<ImageColumn>> split_image(std::string_view json) {
    simdjson::padded_string padded(json);
    ondemand::parser parser;
    ondemand::document doc;
    if (parser.iterate(padded).get(doc)) return std::nullopt;
    ondemand::object obj;
    if (doc.get_object().get(obj)) return std::nullopt;
    std::vector<ImageColumn> columns;
    for (auto field : obj) {
        ImageColumn column;
        std::string_view name, raw;
        ondemand::value value;
        if (field.unescaped_key().get(name) || field.value().get(value) || !raw_value(value, raw)) return std::nullopt;
        column.name.assign(name);
        column.value.assign(raw);
        columns.push_back(std::move(column));
    }
    return columns;
}

std::string join_image(const std::vector<ImageColumn> &columns) {
    std::string out = "{";
    for (std::size_t i = 0; i < columns.size(); i++) {
        if (i > 0) out.push_back(',');
        append_json_string(out, columns[i].name);
        out.push_back(':');
        out.append(columns[i].value);
    }
    out.push_back('}');
    return out;
}

std::string json_text_as_string(std::string_view value) {
    std::string out;
    append_json_string(out, value);
    return out;
}

std::string omitted_placeholder(std::size_t bytes, std::string_view reason) {
    return json_text_as_string("<pgtrail: value of " + std::to_string(bytes) + " bytes omitted: " + std::string(reason) + ">");
}

bool is_placeholder(std::string_view value) {
    return value.substr(0, kPlaceholderStart.size()) == kPlaceholderStart && value.size() >= 2 &&
           value.substr(value.size() - 2) == ">\"";
}

std::vector<std::string> parse_lossy_field(std::string_view field) {
    std::vector<std::string> names;
    if (field == kCopyNull) return names;
    std::string literal = copy_unescape(field);  // {"a","b\"c"}
    std::string name;
    bool quoted = false;
    for (std::size_t i = 1; i + 1 < literal.size(); i++) {
        char c = literal[i];
        if (quoted && c == '\\' && i + 2 < literal.size()) {
            name.push_back(literal[++i]);
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            names.push_back(std::move(name));
            name.clear();
        } else {
            name.push_back(c);
        }
    }
    if (literal.size() > 2) names.push_back(std::move(name));
    return names;
}

std::string lossy_field(const std::vector<std::string> &names) {
    if (names.empty()) return std::string(kCopyNull);
    std::vector<std::string_view> views(names.begin(), names.end());
    std::string out;
    append_copy_text_array(out, views);
    return out;
}

namespace {

/// image with the listed members' values as their JSON text.
std::string texted_image(std::string_view image, const std::vector<std::string> &names) {
    auto columns = split_image(image);
    if (!columns) return std::string(image);
    for (auto &column : *columns)
        if (std::find(names.begin(), names.end(), column.name) != names.end()) column.value = json_text_as_string(column.value);
    return join_image(*columns);
}

}  // namespace

void add_once(std::vector<std::string> &names, const std::string &name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

bool text_unholdable_numbers(const RowChangeEvent &event, TextedChange &out) {
    std::vector<std::string> in_before, in_after;
    if (!event.before.empty() && may_hold_unholdable_number(event.before)) in_before = columns_with_unholdable_numbers(event.before);
    if (!event.after.empty() && may_hold_unholdable_number(event.after)) in_after = columns_with_unholdable_numbers(event.after);
    if (in_before.empty() && in_after.empty()) return false;
    out.event = event;
    out.lossy_names.assign(event.lossy.begin(), event.lossy.end());
    out.texted.clear();
    if (!in_before.empty()) {
        out.before = texted_image(event.before, in_before);
        out.event.before = out.before;
    }
    if (!in_after.empty()) {
        out.after = texted_image(event.after, in_after);
        out.event.after = out.after;
    }
    for (const auto *names : {&in_before, &in_after})
        for (const auto &name : *names) {
            add_once(out.lossy_names, name);
            add_once(out.texted, name);
        }
    out.event.lossy.assign(out.lossy_names.begin(), out.lossy_names.end());
    return true;
}

}  // namespace pgtrail
