#include <doctest/doctest.h>

#include <stdexcept>

#include "name_pattern.h"

using namespace pgtrail;

TEST_CASE("globs match with * and escaped stars") {
    CHECK(glob_match("pgtrail*", "pgtrail_changes"));
    CHECK(glob_match("pgtrail*", "pgtrail"));
    CHECK_FALSE(glob_match("pgtrail*", "xpgtrail"));
    CHECK(glob_match("*", ""));
    CHECK(glob_match("a*b*c", "aXXbYYc"));
    CHECK_FALSE(glob_match("a*b*c", "aXXbYY"));
    CHECK(glob_match("a\\*", "a*"));
    CHECK_FALSE(glob_match("a\\*", "ab"));
    CHECK(glob_match("*x*x*x*", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    CHECK_FALSE(glob_match("*x*x*x*y", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
}

TEST_CASE("table patterns fold unquoted names and keep quoted ones") {
    auto p = parse_table_patterns("Public.Orders, \"Weird \"\"Name\"\"\".\"a.b\", audit.*, items");
    REQUIRE(p.size() == 4);
    CHECK(p[0].schema == "public");
    CHECK(p[0].table == "orders");
    CHECK(p[1].schema == "Weird \"Name\"");
    CHECK(p[1].table == "a.b");
    CHECK(p[2].schema == "audit");
    CHECK(p[2].table == "*");
    CHECK(p[3].schema == "*");  // no schema: any schema
    CHECK(p[3].table == "items");
    CHECK(any_table_matches(p, "audit", "log"));
    CHECK(any_table_matches(p, "other", "items"));
    CHECK(any_table_matches(p, "Weird \"Name\"", "a.b"));
    CHECK_FALSE(any_table_matches(p, "public", "Orders"));
}

TEST_CASE("a star inside quotes is literal") {
    auto p = parse_table_patterns("\"s*\".t");
    CHECK(any_table_matches(p, "s*", "t"));
    CHECK_FALSE(any_table_matches(p, "sx", "t"));
}

TEST_CASE("bad lists are rejected with a reason") {
    CHECK_THROWS_AS(parse_table_patterns(""), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_patterns("a,,b"), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_patterns("a.b.c"), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_patterns("\"open"), std::invalid_argument);
    CHECK_THROWS_AS(parse_name_list("a*", ListSyntax{false, true}), std::invalid_argument);
}

TEST_CASE("plain name lists keep case when asked and treat dots as part of the name") {
    auto names = parse_name_list("_bemi, MyPrefix, app.audit", ListSyntax{true, false});
    REQUIRE(names.size() == 3);
    CHECK(names[0] == "_bemi");
    CHECK(names[1] == "MyPrefix");
    CHECK(names[2] == "app.audit");
    auto pubs = parse_name_list("Pub1, \"Pub Two\"", ListSyntax{false, true});
    CHECK(pubs[0] == "pub1");
    CHECK(pubs[1] == "Pub Two");
}
