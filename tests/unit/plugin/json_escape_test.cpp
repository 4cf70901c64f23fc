#include <doctest/doctest.h>

#include <string>

#include "json_escape.h"

using namespace pgtrail;

namespace {

// Escapes s the way the plugin's writer does: clean runs copied, other bytes escaped.
std::string escape(const std::string &s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t run = json_clean_run(s.data() + i, s.size() - i);
        out.append(s, i, run);
        i += run;
        if (i < s.size()) {
            char buf[6];
            out.append(buf, json_escape_byte(static_cast<unsigned char>(s[i++]), buf));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("clean runs stop at quotes, backslashes and control characters") {
    CHECK(json_clean_run("abc", 3) == 3);
    CHECK(json_clean_run("ab\"c", 4) == 2);
    CHECK(json_clean_run("\\x", 2) == 0);
    CHECK(json_clean_run("a\x1f", 2) == 1);
    CHECK(json_clean_run("\x7f\xe2\x98\x83", 4) == 4);  // DEL and UTF-8 pass through
}

TEST_CASE("escapes use the short forms where JSON has them") {
    CHECK(escape("he said \"hi\"\\") == "he said \\\"hi\\\"\\\\");
    CHECK(escape("a\nb\tc\rd\be\ff") == "a\\nb\\tc\\rd\\be\\ff");
    CHECK(escape(std::string("\x01\x1f", 2)) == "\\u0001\\u001f");
    CHECK(escape(std::string("\0", 1)) == "\\u0000");
    CHECK(escape("emoji \xf0\x9f\x98\x80 stays") == "emoji \xf0\x9f\x98\x80 stays");
}

TEST_CASE("UTF-8 validation finds the first bad byte") {
    CHECK(utf8_valid_prefix("abc", 3) == 3);
    CHECK(utf8_valid_prefix("a\xff" "b", 3) == 1);
    CHECK(utf8_valid_prefix("\xe2\x98\x83", 3) == 3);
    CHECK(utf8_valid_prefix("\xe2\x98", 2) == 0);          // truncated character
    CHECK(utf8_valid_prefix("\xc0\xaf", 2) == 0);          // overlong
    CHECK(utf8_valid_prefix("\xed\xa0\x80", 3) == 0);      // surrogate
    CHECK(utf8_valid_prefix("\xf4\x90\x80\x80", 4) == 0);  // above U+10FFFF
    CHECK(utf8_invalid_run("\xff\x80\x80" "a", 4) == 3);
    CHECK(utf8_invalid_run("\xff" "a", 2) == 1);
}

TEST_CASE("integers format in decimal, including the extremes") {
    char buf[24];
    CHECK(std::string(buf, format_int64(0, buf)) == "0");
    CHECK(std::string(buf, format_int64(-42, buf)) == "-42");
    CHECK(std::string(buf, format_int64(INT64_MIN, buf)) == "-9223372036854775808");
    CHECK(std::string(buf, format_int64(INT64_MAX, buf)) == "9223372036854775807");
}

TEST_CASE("LSNs format and parse as PostgreSQL writes them") {
    char buf[24];
    CHECK(std::string(buf, format_lsn(0x1634F38, buf)) == "0/1634F38");
    CHECK(std::string(buf, format_lsn(0xABCDEF0012345678ULL, buf)) == "ABCDEF00/12345678");
    std::uint64_t lsn = 0;
    CHECK(parse_lsn("0/1634F38", 9, &lsn));
    CHECK(lsn == 0x1634F38);
    CHECK(parse_lsn("ABCDEF00/12345678", 17, &lsn));
    CHECK(lsn == 0xABCDEF0012345678ULL);
    CHECK_FALSE(parse_lsn("0/", 2, &lsn));
    CHECK_FALSE(parse_lsn("/1", 2, &lsn));
    CHECK_FALSE(parse_lsn("0/1x", 4, &lsn));
    CHECK_FALSE(parse_lsn("01634F38", 8, &lsn));
}

TEST_CASE("json_string_size is the escaped size, quotes included, without writing it") {
    for (std::string s : {std::string(), std::string("plain"), std::string("q\"b\\n\nt\tc\x01z"),
                          std::string(40, '\x1f') + "tail", std::string("\xC3\xA9 unicode \xE2\x82\xAC")}) {
        CHECK(json_string_size(s.data(), s.size()) == escape(s).size() + 2);
    }
    CHECK(json_string_size("\x01", 1) == 8);
}
