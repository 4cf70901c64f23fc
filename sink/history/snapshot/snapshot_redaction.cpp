#include "history/snapshot/snapshot_redaction.h"

#include <stdexcept>
#include <string_view>

#include "pg/copy_text.h"

namespace pgtrail {

namespace {

/// A text-format COPY field's value (COPY TO writes \\ \b \f \n \r \t \v).
std::string copy_unescape(std::string_view field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); i++) {
        if (field[i] != '\\' || i + 1 == field.size()) {
            out += field[i];
            continue;
        }
        char c = field[++i];
        out += c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'v' ? '\v' : c;
    }
    return out;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        std::size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return fields;
        start = tab + 1;
    }
}

/// The text of a JSON string without escapes (our markers), else the JSON as is.
std::string_view key_text(std::string_view json) {
    return json.size() >= 2 && json.front() == '"' && json.find('\\') == std::string_view::npos ? json.substr(1, json.size() - 2) : json;
}

}  // namespace

std::string redacted_select_list(const std::string &image_sql, const std::string &row_alias, const std::vector<std::string> &literals,
                                 const std::vector<std::string> &idents, const std::vector<std::string> &key_idents) {
    std::string removed;
    for (const auto &literal : literals) removed += (removed.empty() ? "" : ", ") + literal;
    std::string out = "(" + image_sql + ") - ARRAY[" + removed + "]::text[]";
    for (const auto &ident : idents) out += ", to_jsonb(" + row_alias + "." + ident + ")::text";
    for (const auto &ident : key_idents) out += ", to_jsonb(" + row_alias + "." + ident + ")::text";
    return out;
}

void redact_snapshot_line(std::string &line, const SnapshotRedaction &plan, const ValueRedactor &redactor) {
    std::vector<std::string_view> fields = split_fields(line);
    std::size_t want = 2 + plan.columns.size() + plan.key_columns.size();
    if (fields.size() != want) throw std::runtime_error("a snapshot row with redacted columns has " + std::to_string(fields.size()) +
                                                        " fields, not " + std::to_string(want));
    // The image as COPY text, without its closing brace; each redacted column goes back in redacted.
    std::string image(fields[1]);
    if (image.empty() || image.back() != '}') throw std::runtime_error("a snapshot row image is not a JSON object");
    image.pop_back();
    bool first = image.size() == 1;  // "{"
    std::vector<std::string> redacted(plan.columns.size());
    for (std::size_t i = 0; i < plan.columns.size(); i++) {
        std::string_view value = fields[2 + i];
        std::string json;
        append_json_string(json, plan.columns[i]);
        json += ": ";
        if (value == "\\N") redacted[i] = "null";
        else redactor.append(redacted[i], copy_unescape(value));
        json += redacted[i];
        if (!first) image += ", ";
        first = false;
        append_copy_escaped(image, json);
    }
    image += '}';
    std::string key(fields[0]);
    if (!plan.key_columns.empty()) {
        // As the sink renders keys: one column's text, else a JSON array of the values.
        std::vector<std::string> values;
        for (std::size_t k = 0; k < plan.key_columns.size(); k++) {
            std::string value = copy_unescape(fields[2 + plan.columns.size() + k]);
            for (std::size_t i = 0; i < plan.columns.size(); i++)
                if (plan.columns[i] == plan.key_columns[k]) value = redacted[i];
            values.push_back(value);
        }
        std::string rendered;
        if (values.size() == 1) rendered = std::string(key_text(values[0]));
        else {
            rendered = "[";
            for (std::size_t k = 0; k < values.size(); k++) rendered += (k ? "," : "") + values[k];
            rendered += "]";
        }
        key.clear();
        append_copy_escaped(key, rendered);
    }
    line = key + "\t" + image;
}

}  // namespace pgtrail
