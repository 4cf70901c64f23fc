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

namespace {

RowChangeEvent update(std::vector<KeyValue> before_key, std::vector<KeyValue> after_key) {
    RowChangeEvent r;
    r.op = 'U';
    r.before_key = std::move(before_key);
    r.after_key = std::move(after_key);
    return r;
}

}  // namespace

TEST_CASE("moved_from: an UPDATE that changed the key gives the old key, rendered like primary_key") {
    CHECK(render_moved_from(update({number("1")}, {number("2")})) == "1");
    CHECK(render_moved_from(update({string(R"("a\"b")", "a\"b")}, {string(R"("c")", "c")})) == "a\"b");
    CHECK(render_moved_from(update({number("1"), string(R"("x")", "x")}, {number("1"), string(R"("y")", "y")})) ==
          R"([1,"x"])");
}

TEST_CASE("moved_from: NULL when the key did not change or the move is not known") {
    CHECK(!render_moved_from(update({number("1")}, {number("1")})).has_value());
    CHECK(!render_moved_from(update({number("1"), number("2")}, {number("1"), number("2")})).has_value());
    CHECK(!render_moved_from(update({}, {number("2")})).has_value());  // no old image, or one lacking a key column
    CHECK(!render_moved_from(update({KeyValue{"null", "null", false, true}}, {number("2")})).has_value());
    RowChangeEvent insert = update({number("1")}, {number("2")});
    insert.op = 'I';
    CHECK(!render_moved_from(insert).has_value());
    RowChangeEvent removal = update({number("1")}, {});
    removal.op = 'D';
    CHECK(!render_moved_from(removal).has_value());
}
