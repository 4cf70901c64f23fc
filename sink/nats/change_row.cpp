// Change lines into COPY rows.
#include "nats/change_row.h"

#include <vector>

#include "pg/copy_text.h"

namespace pgtrail {

namespace {

namespace ondemand = simdjson::ondemand;

constexpr std::string_view kNull = "\\N";

void check(simdjson::error_code error, std::string_view field) {
    if (error) throw ChangeLineError("malformed change line (field " + std::string(field) + "): " + simdjson::error_message(error));
}

ondemand::value field(ondemand::object &object, std::string_view name) {
    ondemand::value value;
    check(object[name].get(value), name);
    return value;
}

/// A JSON null is COPY's \N followed by end; true when written so.
bool appended_null(std::string &out, ondemand::value &value, std::string_view name, char end) {
    bool null = false;
    check(value.is_null().get(null), name);
    if (null) out.append(kNull).push_back(end);
    return null;
}

void append_number(std::string &out, ondemand::object &object, std::string_view name) {
    std::int64_t number = 0;
    check(field(object, name).get_int64().get(number), name);
    out.append(std::to_string(number)).push_back('\t');
}

void append_text(std::string &out, ondemand::object &object, std::string_view name) {
    ondemand::value value = field(object, name);
    if (appended_null(out, value, name, '\t')) return;
    std::string_view text;
    check(value.get_string().get(text), name);
    append_copy_escaped(out, text);
    out.push_back('\t');
}

void append_json(std::string &out, ondemand::object &object, std::string_view name, char end) {
    ondemand::value value = field(object, name);
    if (appended_null(out, value, name, end)) return;
    ondemand::object image;  // images and context are objects
    check(value.get_object().get(image), name);
    std::string_view raw;
    check(image.raw_json().get(raw), name);
    append_copy_escaped_json(out, raw);
    out.push_back(end);
}

/// A text field added after the format's first version: absent (a line of an older publisher)
/// is NULL, as the older writer stored it.
void append_optional_text(std::string &out, ondemand::object &object, std::string_view name, char end) {
    ondemand::value value;
    auto error = object[name].get(value);
    if (error == simdjson::NO_SUCH_FIELD) {
        out.append(kNull).push_back(end);
        return;
    }
    check(error, name);
    if (appended_null(out, value, name, end)) return;
    std::string_view text;
    check(value.get_string().get(text), name);
    append_copy_escaped(out, text);
    out.push_back(end);
}

void append_names(std::string &out, ondemand::object &object, std::string_view name, char end) {
    ondemand::value value = field(object, name);
    if (appended_null(out, value, name, end)) return;
    ondemand::array array;
    check(value.get_array().get(array), name);
    std::vector<std::string> names;  // copies: each string_view lasts until the next get_string
    for (auto item : array) {
        std::string_view text;
        check(item.get_string().get(text), name);
        names.emplace_back(text);
    }
    std::vector<std::string_view> views(names.begin(), names.end());
    append_copy_text_array(out, views);
    out.push_back(end);
}

}  // namespace

std::size_t ChangeRows::append(std::string &out, std::string_view body) {
    std::size_t changes = 0;
    while (!body.empty()) {
        std::size_t end = body.find('\n');
        std::string_view line = body.substr(0, end);
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
            append_line(out, line);
            changes++;
        }
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
    return changes;
}

void ChangeRows::append_line(std::string &out, std::string_view line) {
    buffer_.assign(line);
    buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
    ondemand::document doc;
    check(parser_.iterate(buffer_.data(), line.size(), buffer_.size()).get(doc), "line");
    ondemand::object object;
    check(doc.get_object().get(object), "line");
    // The columns of kCopyColumns, in order.
    append_number(out, object, "commit_lsn");
    append_number(out, object, "ordinal");
    append_number(out, object, "position");
    append_number(out, object, "transaction_id");
    append_text(out, object, "committed_at");
    append_text(out, object, "queued_at");
    append_text(out, object, "operation");
    append_text(out, object, "database");
    append_text(out, object, "schema");
    append_text(out, object, "table");
    append_text(out, object, "primary_key");
    append_json(out, object, "before", '\t');
    append_json(out, object, "after", '\t');
    append_json(out, object, "context", '\t');
    append_names(out, object, "unchanged", '\t');
    append_names(out, object, "lossy", '\t');
    append_optional_text(out, object, "moved_from", '\n');
}

}  // namespace pgtrail
