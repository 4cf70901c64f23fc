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
