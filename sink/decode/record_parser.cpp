// simdjson On-Demand parsing of the plugin's records: one pass, fields in the order written.
#include "decode/record_parser.h"

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

std::string_view get_string(ondemand::value value, std::string_view what) {
    std::string_view s;
    check(value.get_string().get(s), what);
    return s;
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

const Record &RecordParser::parse(std::string_view json) {
    buffer_.assign(json);
    buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
    record_ = Record{};
    check(parser_.iterate(buffer_.data(), json.size(), buffer_.size()).get(doc_), "document");
    ondemand::object obj;
    check(doc_.get_object().get(obj), "not an object");
    for (auto field : obj) {
        std::string_view key;
        check(field.unescaped_key().get(key), "key");
        ondemand::value value;
        check(field.value().get(value), key);
        parse_field(key, value);
    }
    if (record_.op == 0) throw RecordError("malformed record: no op");
    return record_;
}

void RecordParser::release_large_buffers() {
    constexpr std::size_t kKeep = 16 * 1024 * 1024;  // ordinary records reuse what they had
    if (buffer_.capacity() > kKeep) std::string().swap(buffer_);
    if (parser_.capacity() > kKeep) {
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
        record_.pk = parse_string_array(value);
    } else if (key == "before") {
        parse_image(value, record_.before, record_.before_key);
    } else if (key == "after") {
        parse_image(value, record_.after, record_.after_key);
    } else if (key == "unchanged") {
        record_.unchanged = parse_string_array(value);
    } else if (key == "lossy") {
        record_.lossy = parse_string_array(value);
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
    for (auto field : obj) {
        std::string_view name;
        check(field.unescaped_key().get(name), "image key");
        for (std::size_t i = 0; i < record_.pk.size(); i++) {
            if (record_.pk[i] != name) continue;
            ondemand::value v;
            check(field.value().get(v), "image value");
            key[i] = read_key_value(v);
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

std::vector<std::string_view> RecordParser::parse_string_array(ondemand::value value) {
    std::vector<std::string_view> items;
    ondemand::array arr;
    check(value.get_array().get(arr), "array");
    for (auto item : arr) {
        std::string_view s;
        check(item.get_string().get(s), "array item");
        items.push_back(s);
    }
    return items;
}

}  // namespace pgtrail
