// Context stitching.
#include <doctest/doctest.h>

#include "stream/stitcher.h"

using namespace pgtrail;

TEST_CASE("the latest context message applies until the transaction ends") {
    ContextStitcher s({"_bemi"});
    s.begin();
    CHECK(s.current() == "{}");
    CHECK(!s.on_message(true, "_bemi", R"({"user_id":1})"));
    CHECK(s.current() == R"({"user_id":1})");
    CHECK(!s.on_message(true, "_bemi", R"({"user_id":2})"));
    CHECK(s.current() == R"({"user_id":2})");
    s.begin();
    CHECK(s.current() == "{}");
}

TEST_CASE("other prefixes, heartbeats and non-transactional messages are ignored") {
    ContextStitcher s({"_bemi", "_app"});
    s.begin();
    s.on_message(true, "_bemi_heartbeat", R"({"a":1})");
    s.on_message(true, "other", R"({"a":1})");
    s.on_message(false, "_bemi", R"({"a":1})");
    CHECK(s.current() == "{}");
    s.on_message(true, "_app", R"({"a":1})");
    CHECK(s.current() == R"({"a":1})");
    CHECK(!s.is_context_prefix("_bemi_heartbeat"));
}

TEST_CASE("non-object context is stored as _raw with one warning per transaction") {
    ContextStitcher s({"_bemi"});
    s.begin();
    auto warning = s.on_message(true, "_bemi", "[1,2]");
    CHECK(warning.has_value());
    CHECK(s.current() == R"({"_raw":"[1,2]"})");
    CHECK(!s.on_message(true, "_bemi", "not \"json\"\n"));
    CHECK(s.current() == R"({"_raw":"not \"json\"\n"})");
    s.begin();
    CHECK(s.on_message(true, "_bemi", "{broken").has_value());
}

TEST_CASE("\\u0000 in context cannot go into jsonb: stored raw") {
    ContextStitcher s({"_bemi"});
    s.begin();
    CHECK(s.on_message(true, "_bemi", R"({"a":"\u0000"})").has_value());
    CHECK(s.current() == R"({"_raw":"{\"a\":\"\\u0000\"}"})");
}

TEST_CASE("oversized context is truncated at a character boundary") {
    ContextStitcher s({"_bemi"}, 10);
    s.begin();
    std::string big = R"({"a":"éééé"})";  // 16 bytes
    CHECK(s.on_message(true, "_bemi", big).has_value());
    CHECK(s.current() == "{\"_raw\":\"{\\\"a\\\":\\\"\xC3\xA9\xC3\xA9\"}");
}
