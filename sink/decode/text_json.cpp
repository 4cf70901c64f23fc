// Text value -> to_jsonb JSON, following jsonb.c's datum_to_jsonb per category.
#include "decode/text_json.h"

#include "decode/events.h"
#include "pg/copy_text.h"

namespace pgtrail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads one element of an array's or composite's text: a quoted part ("..." with \x and, in
// composites, "" escapes) or an unquoted run, up to one of the stop characters at top level.
// Returns false for an unquoted empty element (NULL in a composite).
bool read_item(std::string_view text, std::size_t &pos, std::string_view stops, std::string &item) {
    item.clear();
    bool quoted = false;
    while (pos < text.size()) {
        char c = text[pos];
        if (c == '"') {
            quoted = true;
            for (pos++;; pos++) {
                if (pos >= text.size()) throw DecodeError("a quoted element does not end");
                char q = text[pos];
                if (q == '\\') {
                    if (++pos >= text.size()) throw DecodeError("a quoted element does not end");
                    item.push_back(text[pos]);
                } else if (q == '"' && pos + 1 < text.size() && text[pos + 1] == '"') {
                    item.push_back('"');  // "" in a composite's quoted field
                    pos++;
                } else if (q == '"') {
                    break;
                } else {
                    item.push_back(q);
                }
            }
            pos++;
            continue;
        }
        if (stops.find(c) != std::string_view::npos) break;
        if (c == '\\' && pos + 1 < text.size()) pos++;
        item.push_back(text[pos++]);
    }
    return quoted || !item.empty();
}

void append_hstore(std::string &out, std::string_view text) {
    // hstore_out: "key"=>"value" or "key"=>NULL, separated by ", "; hstore_to_json: an object of strings.
    out.push_back('{');
    std::size_t pos = 0;
    std::string key, value;
    bool first = true;
    while (pos < text.size()) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) pos++;
        if (pos >= text.size()) break;
        read_item(text, pos, "=", key);
        if (text.substr(pos, 2) != "=>") throw DecodeError("an hstore value does not parse");
        pos += 2;
        bool quoted = pos < text.size() && text[pos] == '"';
        read_item(text, pos, ",", value);
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        if (!quoted && value == "NULL")
            out += "null";
        else
            append_json_string(out, value);
    }
    out.push_back('}');
}

}  // namespace

bool is_json_number(std::string_view t) {
    std::size_t i = 0, n = t.size();
    if (i < n && t[i] == '-') i++;
    if (i >= n || !is_digit(t[i])) return false;
    if (t[i] == '0') i++;
    else
        while (i < n && is_digit(t[i])) i++;
    if (i < n && t[i] == '.') {
        i++;
        if (i >= n || !is_digit(t[i])) return false;
        while (i < n && is_digit(t[i])) i++;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) i++;
        if (i >= n || !is_digit(t[i])) return false;
        while (i < n && is_digit(t[i])) i++;
    }
    return i == n;
}

void append_iso_datetime(std::string &out, std::string_view text, JsonKind kind) {
    // ISO: "2026-01-01 08:00:00.5+01" (and " BC" at the end); to_jsonb's XSD form:
    // "2026-01-01T08:00:00.5+01:00". Dates and infinities read the same in both.
    out.push_back('"');
    std::size_t space = text.find(' ');
    if (kind == JsonKind::Date || space == std::string_view::npos || !is_digit(text[0])) {
        out.append(text);
        out.push_back('"');
        return;
    }
    out.append(text.substr(0, space));
    out.push_back('T');
    std::size_t pos = space + 1;
    // The time: digits, ':' and '.'.
    std::size_t time_end = pos;
    while (time_end < text.size() && (is_digit(text[time_end]) || text[time_end] == ':' || text[time_end] == '.')) time_end++;
    out.append(text.substr(pos, time_end - pos));
    pos = time_end;
    if (kind == JsonKind::TimestampTz && pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        std::size_t tz_end = pos + 1;
        while (tz_end < text.size() && (is_digit(text[tz_end]) || text[tz_end] == ':')) tz_end++;
        std::string_view tz = text.substr(pos, tz_end - pos);
        out.append(tz);
        if (tz.find(':') == std::string_view::npos) out.append(":00");  // ISO leaves out zero minutes, XSD does not
        pos = tz_end;
    }
    out.append(text.substr(pos));  // " BC"
    out.push_back('"');
}

void TextToJson::append(std::string &out, std::string_view text, TypeOid type) const {
    const TypeInfo *info = types_.find(type);
    if (info == nullptr) {
        append_json_string(out, text);
        return;
    }
    append_kind(out, text, *info);
}

bool TextToJson::renders_as_string(TypeOid type) const {
    const TypeInfo *info = types_.find(type);
    return info == nullptr || info->kind == JsonKind::Text || info->kind == JsonKind::OtherJsonCast;
}

void TextToJson::append_kind(std::string &out, std::string_view text, const TypeInfo &info) const {
    switch (info.kind) {
    case JsonKind::Number:
        if (is_json_number(text))
            out.append(text);
        else
            append_json_string(out, text);
        break;
    case JsonKind::Bool: out += text == "t" ? "true" : "false"; break;
    case JsonKind::Date:
    case JsonKind::Timestamp:
    case JsonKind::TimestampTz: append_iso_datetime(out, text, info.kind); break;
    case JsonKind::Json: out.append(text); break;
    case JsonKind::Array: append_array(out, text, info); break;
    case JsonKind::Composite: append_composite(out, text, info); break;
    case JsonKind::Hstore: append_hstore(out, text); break;
    case JsonKind::OtherJsonCast:
    case JsonKind::Text: append_json_string(out, text); break;
    }
}

void TextToJson::append_array(std::string &out, std::string_view text, const TypeInfo &info) const {
    // array_out: "[2:3]={...}" when a lower bound is not 1 (to_jsonb ignores bounds); nested
    // braces per dimension; elements quoted when needed, NULL unquoted.
    std::size_t pos = 0;
    if (!text.empty() && text[0] == '[') {
        pos = text.find('=');
        if (pos == std::string_view::npos) throw DecodeError("an array's dimensions do not parse");
        pos++;
    }
    const std::string stops{info.delim, '}'};
    std::string item;
    int depth = 0;
    bool expect_value = false;
    for (; pos < text.size(); pos++) {
        char c = text[pos];
        if (c == '{') {
            out.push_back('[');
            depth++;
            expect_value = true;
            continue;
        }
        if (c == '}') {
            out.push_back(']');
            if (--depth == 0) return;
            expect_value = false;
            continue;
        }
        if (c == info.delim) {
            out.push_back(',');
            expect_value = true;
            continue;
        }
        if (!expect_value) throw DecodeError("an array's text does not parse");
        bool quoted = c == '"';
        read_item(text, pos, stops, item);
        pos--;  // the loop steps over the stop character next
        if (!quoted && item == "NULL")
            out += "null";
        else
            append(out, item, info.element);
        expect_value = false;
    }
    throw DecodeError("an array's text does not end");
}

void TextToJson::append_composite(std::string &out, std::string_view text, const TypeInfo &info) const {
    // record_out: "(a,b,)": empty and unquoted is NULL, quoted parts double " and \.
    if (text.size() < 2 || text.front() != '(' || text.back() != ')') throw DecodeError("a composite's text does not parse");
    out.push_back('{');
    std::size_t pos = 1;
    std::string item;
    for (std::size_t i = 0; i < info.attributes.size(); i++) {
        if (i > 0) {
            if (pos >= text.size() || text[pos] != ',') throw DecodeError("a composite has fewer fields than its type");
            pos++;
            out.push_back(',');
        }
        append_json_string(out, info.attributes[i].first);
        out.push_back(':');
        if (read_item(text, pos, ",)", item))
            append(out, item, info.attributes[i].second);
        else
            out += "null";
    }
    if (pos != text.size() - 1) throw DecodeError("a composite has more fields than its type");
    out.push_back('}');
}

}  // namespace pgtrail
