// numeric_in's limits on JSON numbers; each case was checked against PostgreSQL 15's jsonb input
// (SELECT '<number>'::jsonb): "ok" took it, "refused" said value overflows numeric format.
#include <string>

#include <doctest/doctest.h>

#include "stream/jsonb_numbers.h"

using namespace pgtrail;

TEST_CASE("numbers at and over numeric's limits, as PostgreSQL 15 took or refused them") {
    for (const char *ok : {"1e131071", "9.9e131071", "1e-16383", "0e-16383", "0e999999999", "1.5e-16382", "0", "-0.0",
                           "12.50", "-1E+5", "123456789012345678901234567890"})
        CHECK_MESSAGE(jsonb_can_hold_number(ok), ok);
    for (const char *refused : {"1e131072", "1e140000", "1e-16384", "0e-16384", "0e1073741823", "0.0001e-16380", "1e-131072",
                                "0.1e-131068", "0.00000e-16380", "-1e-20000", "1e99999999999999999999"})
        CHECK_MESSAGE(!jsonb_can_hold_number(refused), refused);
}

TEST_CASE("digits alone: 131072 before the point fit, 16384 after do not") {
    CHECK(jsonb_can_hold_number(std::string(131072, '9')));
    CHECK_FALSE(jsonb_can_hold_number(std::string(131073, '9')));
    CHECK(jsonb_can_hold_number("0." + std::string(16383, '1')));
    CHECK_FALSE(jsonb_can_hold_number("0." + std::string(16384, '1')));
}

TEST_CASE("the cheap test lets ordinary JSON through and flags long exponents and digit runs") {
    CHECK_FALSE(may_hold_unholdable_number(R"({"id":1,"t":"e12 eE","x":1.5e300,"y":-2E-10})"));
    CHECK(may_hold_unholdable_number(R"({"a":1e140000})"));
    CHECK(may_hold_unholdable_number(R"({"a":[1,-1E-20000]})"));
    CHECK(may_hold_unholdable_number(R"({"a": 2e+00005 })"));
    CHECK(may_hold_unholdable_number(R"({"a":"a 1e12345, b"})"));  // a false alarm, sorted out by the walk
    CHECK(may_hold_unholdable_number("[" + std::string(6000, '1') + "]"));
    CHECK(may_hold_unholdable_number("[0." + std::string(6000, '1') + "]"));
    CHECK_FALSE(may_hold_unholdable_number("[" + std::string(5999, '1') + "]"));
}

TEST_CASE("the cheap test skips what only looks like an exponent: uuids, words, hex") {
    CHECK_FALSE(may_hold_unholdable_number(R"({"u":"3e123456-0e12-4e12-8e12-1e1234567890"})"));
    CHECK_FALSE(may_hold_unholdable_number(R"({"t":"text e-12345","h":"deadbeef12345"})"));
    CHECK_FALSE(may_hold_unholdable_number(R"({"s":"1e12345x"})"));
}

namespace {

/// The rule of may_hold_unholdable_number byte by byte, to hold its 16-byte scan to.
bool reference_may_hold(const std::string &s) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++run >= 6000) return true;
            continue;
        }
        run = 0;
        if ((c != 'e' && c != 'E') || i == 0 || s[i - 1] < '0' || s[i - 1] > '9') continue;
        std::size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) j++;
        std::size_t k = j;
        while (k < s.size() && s[k] >= '0' && s[k] <= '9') k++;
        if (k - j >= 5 && (k == s.size() || std::string(",}] \n\r\t").find(s[k]) != std::string::npos)) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("the 16-byte scan agrees with the byte loop on random text") {
    const std::string alphabet = "0123456789eE+-.,}] \"ax";
    unsigned seed = 12345;
    auto next = [&seed] { return seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff; };
    for (int round = 0; round < 20000; round++) {
        std::string s;
        std::size_t len = next() % 80;
        for (std::size_t i = 0; i < len; i++) s.push_back(alphabet[next() % alphabet.size()]);
        CHECK_MESSAGE(may_hold_unholdable_number(s) == reference_may_hold(s), s);
    }
    for (std::size_t digits : {5983u, 5999u, 6000u, 6001u, 6017u})
        for (std::size_t offset = 0; offset < 17; offset++) {
            std::string s = std::string(offset, 'x') + std::string(digits, '7') + "x";
            CHECK(may_hold_unholdable_number(s) == (digits >= 6000));
        }
}

TEST_CASE("the walk names the top-level columns holding such numbers, however deep") {
    auto columns = columns_with_unholdable_numbers(
        R"({"id":1,"doc":{"a":[1,{"b":1e140000}],"c":2},"t":"e-12345","n":-1e-20000,"ok":{"x":1e300},"last":[0e-16384]})");
    REQUIRE(columns.size() == 3);
    CHECK(columns[0] == "doc");
    CHECK(columns[1] == "n");
    CHECK(columns[2] == "last");
    CHECK(columns_with_unholdable_numbers(R"({"a":"1e140000"})").empty());
    CHECK(columns_with_unholdable_numbers("not json").empty());
}
