// simdjson On-Demand parsing of the plugin's records: one pass, fields in the order written.
#include "decode/record_parser.h"

#include "decode/page_release.h"

#include "json_escape.h"

namespace pgtrail {

namespace ondemand = simdjson::ondemand;

namespace {

/// Throws RecordError naming what failed when error is set.
void check(simdjson::error_code error, std::string_view what) {
    if (error) throw RecordError(std::string("malformed record (") + std::string(what) + "): " + simdjson::error_message(error));
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The text between a string token's quotes when it holds no escape (most do), else empty.
bool unescaped_as_written(std::string_view token, std::string_view &text) {
    if (token.size() < 2 || token[0] != '"') return false;
    std::size_t end = token.find_first_of("\"\\", 1);
    if (end == std::string_view::npos || token[end] != '"') return false;
    text = token.substr(1, end - 1);
    return true;
}

std::string_view get_string(ondemand::value value, std::string_view what) {
    std::string_view s;
    if (unescaped_as_written(value.raw_json_token(), s)) return s;  // no copy into simdjson's string buffer
    check(value.get_string().get(s), what);
    return s;
}

/// A member's name, as written when it holds no escape.
std::string_view get_key(ondemand::field &field, std::string_view what) {
    const char *raw = field.key().raw();  // after the opening quote; the closing one is in the buffer
    std::size_t n = 0;
    while (raw[n] != '"' && raw[n] != '\\') n++;
    if (raw[n] == '"') return std::string_view(raw, n);
    std::string_view key;
    check(field.unescaped_key().get(key), what);
    return key;
}

std::uint64_t get_lsn(ondemand::value value) {
    std::string_view text = get_string(value, "lsn");
    std::uint64_t lsn = 0;
    if (!parse_lsn(text.data(), text.size(), &lsn)) throw RecordError("malformed record: bad lsn " + std::string(text));
    return lsn;
}

/// Reads a key column's value (scalars as their token, composites as their raw JSON).
KeyValue read_key_value(ondemand::value value) {
    KeyValue kv;
    ondemand::json_type type{};
    check(value.type().get(type), "key value");
    kv.raw = trim_right(value.raw_json_token());
    kv.text = kv.raw;
    if (type == ondemand::json_type::string) {
        kv.is_string = true;
        kv.text = get_string(value, "key value");
    } else if (type == ondemand::json_type::object) {
        ondemand::object obj;
        check(value.get_object().get(obj), "key value");
        check(obj.raw_json().get(kv.raw), "key value");
        kv.text = kv.raw = trim_right(kv.raw);
    } else if (type == ondemand::json_type::array) {
        ondemand::array arr;
        check(value.get_array().get(arr), "key value");
        check(arr.raw_json().get(kv.raw), "key value");
        kv.text = kv.raw = trim_right(kv.raw);
    } else if (type == ondemand::json_type::null) {
        kv.is_null = true;
    }
    return kv;
}

}  // namespace

static_assert(kPayloadPadding >= simdjson::SIMDJSON_PADDING);

const Record &RecordParser::parse(std::string_view json) {
    buffer_.assign(json);
    buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
    return parse_at(buffer_.data(), json.size(), buffer_.size());
}

const Record &RecordParser::parse_padded(std::string_view json) {
    return parse_at(json.data(), json.size(), json.size() + kPayloadPadding);
}

const Record &RecordParser::parse_at(const char *json, std::size_t len, std::size_t capacity) {
    reset_record();
    check(parser_.iterate(json, len, capacity).get(doc_), "document");
    ondemand::object obj;
    check(doc_.get_object().get(obj), "not an object");
    for (auto member : obj) {
        ondemand::field field;
        check(std::move(member).get(field), "member");
        std::string_view key = get_key(field, "key");
        parse_field(key, field.value());
    }
    if (record_.op == 0) throw RecordError("malformed record: no op");
    return record_;
}

void RecordParser::release_large_buffers() {
    // Ordinary records reuse what they had.
    if (buffer_.capacity() > kHugeMessageBytes) std::string().swap(buffer_);
    if (parser_.capacity() > kHugeMessageBytes) {
        doc_ = ondemand::document();
        parser_ = ondemand::parser();
    }
}

void RecordParser::parse_field(std::string_view key, ondemand::value value) {
    if (key == "op") {
        std::string_view op = get_string(value, "op");
        if (op.size() != 1) throw RecordError("malformed record: bad op");
        record_.op = op[0];
    } else if (key == "xid") {
        std::uint64_t xid = 0;
        check(value.get_uint64().get(xid), "xid");
        record_.xid = static_cast<std::uint32_t>(xid);
    } else if (key == "lsn") {
        record_.lsn = get_lsn(value);
    } else if (key == "ts") {
        record_.ts = get_string(value, "ts");
    } else if (key == "schema") {
        record_.schema = get_string(value, "schema");
    } else if (key == "table") {
        record_.table = get_string(value, "table");
    } else if (key == "pk") {
        parse_string_array(value, record_.pk);
    } else if (key == "before") {
        parse_image(value, record_.before, record_.before_key);
    } else if (key == "after") {
        parse_image(value, record_.after, record_.after_key);
    } else if (key == "unchanged") {
        parse_string_array(value, record_.unchanged);
    } else if (key == "lossy") {
        parse_string_array(value, record_.lossy);
    } else if (key == "cascade") {
        check(value.get_bool().get(record_.cascade), "cascade");
    } else if (key == "restart_identity") {
        check(value.get_bool().get(record_.restart_identity), "restart_identity");
    } else if (key == "transactional") {
        check(value.get_bool().get(record_.transactional), "transactional");
    } else if (key == "prefix") {
        record_.prefix = get_string(value, "prefix");
    } else if (key == "content") {
        record_.content = get_string(value, "content");
    }
    // Other fields (later additions) are skipped.
}

void RecordParser::parse_image(ondemand::value value, std::string_view &raw, std::vector<KeyValue> &key) {
    const char *start = value.raw_json_token().data();
    ondemand::object obj;
    check(value.get_object().get(obj), "image");
    key.assign(record_.pk.size(), KeyValue{});
    std::size_t found = 0;
    for (auto member : obj) {
        ondemand::field field;
        check(std::move(member).get(field), "image member");
        std::string_view name = get_key(field, "image key");
        for (std::size_t i = 0; i < record_.pk.size(); i++) {
            if (record_.pk[i] != name) continue;
            key[i] = read_key_value(field.value());
            found++;
            break;
        }
    }
    if (found != record_.pk.size()) key.clear();
    // The object is consumed: the iterator sits on the token after its closing brace.
    const char *end = nullptr;
    check(doc_.current_location().get(end), "image end");
    raw = trim_right(std::string_view(start, static_cast<std::size_t>(end - start)));
}

void RecordParser::parse_string_array(ondemand::value value, std::vector<std::string_view> &items) {
    ondemand::array arr;
    check(value.get_array().get(arr), "array");
    for (auto item : arr) {
        ondemand::value v;
        check(item.get(v), "array item");
        items.push_back(get_string(v, "array item"));
    }
}

void RecordParser::reset_record() {
    // Field by field: the vectors keep their capacity from one record to the next.
    record_.op = 0;
    record_.xid = 0;
    record_.lsn = 0;
    record_.ts = record_.schema = record_.table = record_.before = record_.after = record_.prefix = record_.content = {};
    record_.pk.clear();
    record_.before_key.clear();
    record_.after_key.clear();
    record_.unchanged.clear();
    record_.lossy.clear();
    record_.cascade = record_.restart_identity = record_.transactional = false;
}

}  // namespace pgtrail
