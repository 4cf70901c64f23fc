// primary_key column rendering.
#include <doctest/doctest.h>

#include "stream/primary_key.h"

using namespace pgtrail;

namespace {

KeyValue number(std::string_view raw) { return KeyValue{raw, raw, false, false}; }
KeyValue string(std::string_view raw, std::string_view text) { return KeyValue{raw, text, true, false}; }

}  // namespace

TEST_CASE("single keys render as their text") {
    CHECK(render_primary_key({number("42")}) == "42");
    CHECK(render_primary_key({number("1.50")}) == "1.50");
    CHECK(render_primary_key({string(R"("a\"b")", "a\"b")}) == "a\"b");
}

TEST_CASE("composite keys render as a JSON array of the values") {
    CHECK(render_primary_key({number("1"), string(R"("x\ny")", "x\ny")}) == R"([1,"x\ny"])");
}

TEST_CASE("no key gives NULL") {
    CHECK(!render_primary_key({}).has_value());
    CHECK(!render_primary_key({KeyValue{"null", "null", false, true}}).has_value());
}

TEST_CASE("the new row's key wins, else the old row's") {
    RowChangeEvent r;
    r.before_key = {number("1")};
    CHECK(key_values_of(r)[0].raw == "1");
    r.after_key = {number("2")};
    CHECK(key_values_of(r)[0].raw == "2");
}
