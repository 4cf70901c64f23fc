// The pgoutput converter against what PostgreSQL's to_jsonb() prints: every case of
// to_jsonb_golden.jsonl (made by make_to_jsonb_golden.sh from a real server) converted from
// its output text must equal to_jsonb's value as jsonb compares values (key order, duplicate
// keys and number spelling normalized as jsonb normalizes them in the changes table).
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <simdjson.h>

#include "decode/events.h"
#include "decode/text_json.h"

using namespace pgtrail;

namespace {

/// A JSON text in a canonical form: what jsonb keeps of it.
class Canonical {
public:
    explicit Canonical(std::string_view text) : s_(text) {}
    std::string value() {
        std::string out = parse();
        ws();
        if (i_ != s_.size()) throw std::runtime_error("trailing text in " + std::string(s_));
        return out;
    }

private:
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) i_++;
    }
    std::string parse() {
        ws();
        if (i_ >= s_.size()) throw std::runtime_error("unexpected end");
        char c = s_[i_];
        if (c == '{') return object();
        if (c == '[') return array();
        if (c == '"') return "s:" + string();
        for (const char *word : {"true", "false", "null"})
            if (s_.substr(i_, std::strlen(word)) == word) {
                i_ += std::strlen(word);
                return word;
            }
        return number();
    }
    std::string object() {
        std::map<std::string, std::string> members;  // sorted; a later duplicate wins, as in jsonb
        i_++;
        ws();
        if (s_[i_] == '}') {
            i_++;
            return "{}";
        }
        for (;;) {
            ws();
            std::string key = string();
            ws();
            if (s_[i_++] != ':') throw std::runtime_error("no colon");
            members[key] = parse();
            ws();
            char c = s_[i_++];
            if (c == '}') break;
            if (c != ',') throw std::runtime_error("bad object");
        }
        std::string out = "{";
        for (const auto &[k, v] : members) out += k + "=" + v + ";";
        return out + "}";
    }
    std::string array() {
        std::string out = "[";
        i_++;
        ws();
        if (s_[i_] == ']') {
            i_++;
            return "[]";
        }
        for (;;) {
            out += parse() + ";";
            ws();
            char c = s_[i_++];
            if (c == ']') break;
            if (c != ',') throw std::runtime_error("bad array");
        }
        return out + "]";
    }
    std::string string() {
        std::size_t start = i_++;
        while (s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
        i_++;
        std::string quoted(s_.substr(start, i_ - start));
        simdjson::padded_string padded(quoted);
        simdjson::ondemand::parser parser;
        auto doc = parser.iterate(padded);
        return std::string(std::string_view(doc.get_string()));
    }
    // numeric_in then numeric_out: digits with display scale max(0, fraction digits - exponent).
    std::string number() {
        std::size_t start = i_;
        while (i_ < s_.size() && std::strchr("+-0123456789.eE", s_[i_])) i_++;
        std::string_view t = s_.substr(start, i_ - start);
        if (!is_json_number(t)) throw std::runtime_error("bad number " + std::string(t));
        bool negative = t[0] == '-';
        std::string digits;
        int frac = 0, exp = 0;
        std::size_t k = negative ? 1 : 0;
        for (; k < t.size() && std::isdigit(static_cast<unsigned char>(t[k])); k++) digits += t[k];
        if (k < t.size() && t[k] == '.')
            for (k++; k < t.size() && std::isdigit(static_cast<unsigned char>(t[k])); k++, frac++) digits += t[k];
        if (k < t.size()) exp = std::stoi(std::string(t.substr(k + 1)));
        int scale = std::max(0, frac - exp);
        int shift = scale - (frac - exp);  // trailing zeros to add
        digits.append(static_cast<std::size_t>(shift), '0');
        while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
        std::string integer = digits.substr(0, digits.size() - scale), fraction = digits.substr(digits.size() - scale);
        while (integer.size() > 1 && integer[0] == '0') integer.erase(0, 1);
        bool zero = integer == "0" && fraction.find_first_not_of('0') == std::string::npos;
        return std::string("n:") + (negative && !zero ? "-" : "") + integer + (scale ? "." + fraction : "");
    }
    std::string_view s_;
    std::size_t i_ = 0;
};

std::string canonical(std::string_view json) { return Canonical(json).value(); }

struct GoldenCase {
    std::string zone, type, text, expected;
    TypeOid oid = 0;
};

/// Reads the golden file: the cases, and the catalog rows loaded into types.
std::vector<GoldenCase> read_golden(TypeCatalog &types) {
    std::ifstream in(PGTRAIL_TEST_DATA_DIR "/to_jsonb_golden.jsonl");
    REQUIRE(in.good());
    std::vector<GoldenCase> cases;
    std::string line;
    simdjson::ondemand::parser parser;
    const std::string catalog_head = "{\"catalog\":", expected_head = "\"expected\" : ";
    while (std::getline(in, line)) {
        // The raw JSON parts are cut out by position: json_build_object's layout is fixed.
        if (line.rfind(catalog_head, 0) == 0) {
            types.load_row(std::string_view(line).substr(catalog_head.size(), line.size() - catalog_head.size() - 1));
            continue;
        }
        simdjson::padded_string padded(line);
        auto doc = parser.iterate(padded);
        GoldenCase c;
        c.zone = std::string(std::string_view(doc["zone"]));
        c.type = std::string(std::string_view(doc["type"]));
        c.oid = static_cast<TypeOid>(std::uint64_t(doc["oid"]));
        c.text = std::string(std::string_view(doc["text"]));
        std::size_t at = line.rfind(expected_head);
        REQUIRE(at != std::string::npos);
        at += expected_head.size();
        c.expected = line.substr(at, line.size() - at - 1);
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace

TEST_CASE("text values convert to what to_jsonb prints, case by case") {
    TypeCatalog types;
    std::vector<GoldenCase> cases = read_golden(types);
    REQUIRE(cases.size() > 150);
    std::vector<TypeOid> oids;
    for (const auto &c : cases) oids.push_back(c.oid);
    CHECK(types.missing(oids).empty());  // the golden catalog rows cover every type they refer to
    TextToJson convert(types);
    for (const auto &c : cases) {
        std::string out;
        convert.append(out, c.text, c.oid);
        INFO(c.type, " in ", c.zone, ": text [", c.text, "] gave ", out, ", to_jsonb ", c.expected);
        CHECK(canonical(out) == canonical(c.expected));
    }
}

TEST_CASE("the canonical form sees what jsonb sees, no more") {
    CHECK(canonical(R"({"a": 1, "a": 2.50, "b": [1e3, -0, "x"]})") == canonical(R"({"b":[1000,0,"x"],"a":2.50})"));
    CHECK(canonical("2.50") != canonical("2.5"));
    CHECK(canonical(R"("\u00e9")") == canonical("\"\xc3\xa9\""));
    CHECK(canonical("[1,2]") != canonical("[2,1]"));
    CHECK(canonical(R"({"a":null})") != canonical("{}"));
}

TEST_CASE("hstore renders as its cast to json: an object of strings") {
    TypeCatalog types;
    types.load_row(R"({"oid": 90000, "name": "hstore", "typtype": "b", "base": 0, "element": 0, "delim": null,
                       "attributes": null, "json_cast": "$libdir/hstore:hstore_to_json"})");
    TextToJson convert(types);
    std::string out;
    convert.append(out, R"("k"=>"1", "n"=>NULL, "q"=>"a\"b")", 90000);
    CHECK(out == R"({"k":"1","n":null,"q":"a\"b"})");
}

TEST_CASE("another type with a cast to json is rendered as its text (documented as not exact)") {
    TypeCatalog types;
    types.load_row(R"({"oid": 90001, "name": "mytype", "typtype": "b", "base": 0, "element": 0, "delim": null,
                       "attributes": null, "json_cast": "$libdir/other:my_to_json"})");
    REQUIRE(types.find(90001)->kind == JsonKind::OtherJsonCast);
    TextToJson convert(types);
    std::string out;
    convert.append(out, "x", 90001);
    CHECK(out == R"("x")");
}

TEST_CASE("malformed texts are decode errors, not garbage") {
    TypeCatalog types;
    types.load_row(R"({"oid": 90002, "name": "p", "typtype": "c", "base": 0, "element": 0, "delim": null,
                       "attributes": [["a", 23], ["b", 25]], "json_cast": null})");
    types.load_row(R"({"oid": 90003, "name": "int[]", "typtype": "b", "base": 0, "element": 23, "delim": ",",
                       "attributes": null, "json_cast": null})");
    TextToJson convert(types);
    std::string out;
    CHECK_THROWS_AS(convert.append(out, "(1)", 90002), DecodeError);
    CHECK_THROWS_AS(convert.append(out, "(1,2,3)", 90002), DecodeError);
    CHECK_THROWS_AS(convert.append(out, "{1,2", 90003), DecodeError);
    CHECK_THROWS_AS(convert.append(out, "(1,\"x)", 90002), DecodeError);
}

TEST_CASE("types the catalog does not know are missing until loaded, domains resolve to their base") {
    TypeCatalog types;
    CHECK(types.missing({23, 25, 1184}).empty());
    CHECK(types.missing({90010}) == std::vector<TypeOid>{90010});
    types.load_row(R"({"oid": 90010, "name": "d", "typtype": "d", "base": 90011, "element": 0, "delim": null,
                       "attributes": null, "json_cast": null})");
    CHECK(types.missing({90010}) == std::vector<TypeOid>{90011});
    types.load_row(R"({"oid": 90011, "name": "c", "typtype": "c", "base": 0, "element": 0, "delim": null,
                       "attributes": [["x", 1184]], "json_cast": null})");
    CHECK(types.missing({90010}).empty());
    CHECK(types.find(90010)->kind == JsonKind::Composite);
    types.forget_user_types({90010});
    CHECK(types.missing({90010}) == std::vector<TypeOid>{90010});
    CHECK(TypeCatalog::query({1, 2}).find("'{1,2}'::oid[]") != std::string::npos);
}
