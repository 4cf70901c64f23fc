// COPY text escaping.
#include <doctest/doctest.h>

#include "pg/copy_text.h"

using namespace pgtrail;

TEST_CASE("COPY escaping of backslash, newline, CR, tab") {
    std::string out;
    append_copy_escaped(out, "a\\b\nc\rd\te");
    CHECK(out == "a\\\\b\\nc\\rd\\te");
}

TEST_CASE("text[] literal") {
    std::string out;
    append_copy_text_array(out, {"a", "b\"c", "d\\e"});
    CHECK(out == "{\"a\",\"b\\\\\"c\",\"d\\\\\\\\e\"}");
}

TEST_CASE("JSON strings: controls escaped, NUL replaced") {
    std::string out;
    append_json_string(out, std::string_view("a\"\n\0b", 5));
    CHECK(out == "\"a\\\"\\n\xEF\xBF\xBD" "b\"");
}

TEST_CASE("UTC timestamps") {
    CHECK(format_utc_timestamp(0) == "1970-01-01 00:00:00.000000+00");
    CHECK(format_utc_timestamp(1795253160123456) == "2026-11-21 09:26:00.123456+00");
    CHECK(format_utc_timestamp(1795253160000007) == "2026-11-21 09:26:00.000007+00");  // same second, remembered
    CHECK(format_utc_timestamp(1795253161999999) == "2026-11-21 09:26:01.999999+00");  // the next one
    CHECK(format_utc_timestamp(-1) == "1969-12-31 23:59:59.999999+00");
}

TEST_CASE("JSON images: \\u0000 escapes become \\ufffd, escaped backslashes are not misread") {
    std::string out;
    CHECK(append_copy_escaped_json(out, R"({"a":"x\u0000y"})") == 1);
    CHECK(out == R"({"a":"x\\ufffdy"})");
    out.clear();
    CHECK(append_copy_escaped_json(out, R"({"a":"\\u0000","b":"\\\u0000"})") == 1);
    CHECK(out == R"({"a":"\\\\u0000","b":"\\\\\\ufffd"})");
    out.clear();
    CHECK(append_copy_escaped_json(out, R"(["\n\t\"",1])") == 0);
    CHECK(out == R"(["\\n\\t\\"",1])");
}

TEST_CASE("COPY escaping past 16 bytes: the block scan finds every byte to escape") {
    std::string text;
    for (int i = 0; i < 100; i++) text += std::string(static_cast<std::size_t>(i % 19), 'x') + "\\\n\r\t";
    std::string fast, slow;
    append_copy_escaped(fast, text);
    for (char c : text) {
        if (c == '\\' || c == '\n' || c == '\r' || c == '\t') slow.push_back('\\');
        slow.push_back(c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c);
    }
    CHECK(fast == slow);
}

TEST_CASE("a JSON text escaped in parts equals it escaped whole, escapes never split") {
    std::string json = "{\"k\":\"";
    for (int i = 0; i < 300; i++) json += std::string(static_cast<std::size_t>(i % 7), 'a') + (i % 3 ? "\\u0000" : "\\\\u0000\\n\t");
    json += "\"}";
    std::string whole;
    std::size_t whole_replaced = append_copy_escaped_json(whole, json);
    CHECK(whole_replaced == count_nul_escapes(json));
    CHECK(whole_replaced == 200);
    for (std::size_t max : {1u, 2u, 5u, 6u, 7u, 16u, 100u}) {
        std::string parts;
        std::size_t replaced = 0;
        for (std::string_view rest = json; !rest.empty();) {
            std::size_t used = append_copy_escaped_json_part(parts, rest, max, replaced);
            REQUIRE(used >= std::min(max, rest.size()));
            rest.remove_prefix(used);
        }
        CHECK(parts == whole);
        CHECK(replaced == whole_replaced);
    }
}
