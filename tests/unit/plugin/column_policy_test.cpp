#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "column_policy.h"
#include "options.h"

using namespace pgtrail;

TEST_CASE("column patterns: schema.table.column with wildcards, folded unless quoted") {
    auto patterns = parse_column_patterns("*.*.password_hash, public.Users.SSN, \"Odd.Schema\".t.\"Mixed\"");
    REQUIRE(patterns.size() == 3);
    CHECK(any_column_matches(patterns, "app", "accounts", "password_hash"));
    CHECK(any_column_matches(patterns, "public", "users", "ssn"));
    CHECK_FALSE(any_column_matches(patterns, "public", "users", "SSN"));
    CHECK_FALSE(any_column_matches(patterns, "other", "users", "ssn"));
    CHECK(any_column_matches(patterns, "Odd.Schema", "t", "Mixed"));
    CHECK_FALSE(any_column_matches(patterns, "Odd.Schema", "t", "mixed"));
    CHECK(any_column_matches(parse_column_patterns("public.*.sec*"), "public", "x", "secret"));
}

TEST_CASE("column patterns: anything but three parts is an error") {
    CHECK_THROWS_AS(parse_column_patterns("users.password"), std::invalid_argument);
    CHECK_THROWS_AS(parse_column_patterns("password"), std::invalid_argument);
    CHECK_THROWS_AS(parse_column_patterns("a.b.c.d"), std::invalid_argument);
    CHECK_THROWS_AS(parse_column_patterns("a.b.c,"), std::invalid_argument);
}

TEST_CASE("hex keys and markers") {
    CHECK(decode_hex(encode_hex(std::string("k\0\xff", 3))) == std::string("k\0\xff", 3));
    CHECK_THROWS_AS(decode_hex("abc"), std::invalid_argument);
    CHECK_THROWS_AS(decode_hex("zz"), std::invalid_argument);
    const unsigned char digest[] = {0x01, 0xab};
    CHECK(hmac_marker_json(digest, 2) == "\"[redacted hmac-sha256:01ab]\"");
}

TEST_CASE("plugin options redact, redact-key, ignore-columns; a bad key is never echoed") {
    PluginOptions options;
    apply_option(options, "redact", "*.*.pw");
    apply_option(options, "redact-key", "6b6579");
    apply_option(options, "ignore-columns", "public.t.updated_at");
    CHECK(options.redact.size() == 1);
    CHECK(options.redact_key == "key");
    CHECK(options.ignore_columns.size() == 1);
    try {
        apply_option(options, "redact-key", "not-hex-secret");
        FAIL("accepted");
    } catch (const std::invalid_argument &e) {
        CHECK(std::string(e.what()).find("not-hex-secret") == std::string::npos);
        CHECK(std::string(e.what()).find("(hidden)") != std::string::npos);
    }
}
