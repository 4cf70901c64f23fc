// The UI's pure parts: request targets, filters as bound parameters, access checks, JSON strings.
#include <doctest/doctest.h>

#include "ui/change_filter.h"
#include "ui/csv_field.h"
#include "ui/http_query.h"
#include "ui/json_text.h"
#include "ui/ui_auth.h"

using namespace pgtrail::ui;

TEST_CASE("parse_target decodes the path and the parameters") {
    Target t = parse_target("/api/feed?table=public.orders&ctx.user_id=4%202&a+b=%E2%98%83&empty");
    CHECK(t.path == "/api/feed");
    CHECK(t.get("table") == "public.orders");
    CHECK(t.get("ctx.user_id") == "4 2");
    CHECK(t.get("a b") == "\xE2\x98\x83");
    CHECK(t.get("empty") == "");
    CHECK_FALSE(t.get("missing"));
    CHECK_THROWS_AS(parse_target("/x?a=%"), BadRequest);
    CHECK_THROWS_AS(parse_target("/x?a=%zz"), BadRequest);
    CHECK_THROWS_AS(parse_target("/x?a=%00"), BadRequest);
    CHECK_THROWS_AS(parse_target("/x?a=" + std::string(kMaxParamBytes + 1, 'a')), BadRequest);
}

TEST_CASE("change_filter binds every value and never splices it") {
    Target t = parse_target("/api/feed?table=s.t&op=DELETE&key=';DROP&tx=42&ctx.user_id=7&ctx.who=x'y&from=2026-01-01");
    SqlFilter f = change_filter(t, {});
    CHECK(f.where.find("DROP") == std::string::npos);
    CHECK(f.where.find("x'y") == std::string::npos);
    std::vector<std::string> expected{"s", "t", "DELETE", "';DROP", "42", "user_id", "7", "who", "x'y", "2026-01-01"};
    CHECK(f.params == expected);
    // 7 may be stored as a number or a string; x'y only as a string (it never reaches ::numeric).
    CHECK(f.where.find("$7::numeric") != std::string::npos);
    CHECK(f.where.find("$9::numeric") == std::string::npos);
    CHECK(change_filter(parse_target("/api/feed"), {}).where == "true");
}

TEST_CASE("change_filter refuses what cannot be right") {
    CHECK_THROWS_AS(change_filter(parse_target("/x?op=drop"), {}), BadRequest);
    CHECK_THROWS_AS(change_filter(parse_target("/x?tx=1;2"), {}), BadRequest);
    CHECK_THROWS_AS(change_filter(parse_target("/x?tx=" + std::string(19, '9')), {}), BadRequest);
    CHECK_THROWS_AS(change_filter(parse_target("/x?nope=1"), {}), BadRequest);
    CHECK_THROWS_AS(change_filter(parse_target("/x?ctx.=1"), {}), BadRequest);
    CHECK_NOTHROW(change_filter(parse_target("/x?limit=5"), {"limit"}));
}

TEST_CASE("cursors and page sizes") {
    Cursor c = parse_cursor("123456.7");
    CHECK(c.commit_lsn == "123456");
    CHECK(c.ordinal == "7");
    for (const char *bad : {"", "1", "1.", ".1", "a.1", "1.2.3", "-1.0", "1234567890123456789.0", "1.1234567890"})
        CHECK_THROWS_AS(parse_cursor(bad), BadRequest);
    CHECK(page_size(parse_target("/x"), 50, 500) == 50);
    CHECK(page_size(parse_target("/x?limit=500"), 50, 500) == 500);
    for (const char *bad : {"/x?limit=0", "/x?limit=501", "/x?limit=-1", "/x?limit=abc", "/x?limit=99999"})
        CHECK_THROWS_AS(page_size(parse_target(bad), 50, 500), BadRequest);
}

TEST_CASE("listening beyond loopback needs a token") {
    CHECK(listen_refusal("127.0.0.1:8080", true, "") == "");
    CHECK(listen_refusal("0.0.0.0:8080", false, "t") == "");
    CHECK(listen_refusal("0.0.0.0:8080", false, "").find("PGTRAIL_UI_TOKEN") != std::string::npos);
}

TEST_CASE("the token: bearer, cookie or link; constant-time comparison") {
    RequestCredentials r;
    CHECK(token_accepted("", r));
    CHECK_FALSE(token_accepted("secret", r));
    r.authorization = "Bearer secret";
    CHECK(token_accepted("secret", r));
    r.authorization = "Bearer secre";
    CHECK_FALSE(token_accepted("secret", r));
    r.authorization = "";
    r.cookie = "a=b; pgtrail_ui_token=secret; c=d";
    CHECK(token_accepted("secret", r));
    r.cookie = "pgtrail_ui_token=secretx";
    CHECK_FALSE(token_accepted("secret", r));
    r.token_param = "secret";
    CHECK(token_accepted("secret", r));
    CHECK_FALSE(same_secret("", ""));
}

TEST_CASE("Host check on loopback and the CSRF defence") {
    CHECK(host_accepted(true, "", "127.0.0.1:8080"));
    CHECK(host_accepted(true, "", "localhost:8080"));
    CHECK(host_accepted(true, "", "[::1]:8080"));
    CHECK_FALSE(host_accepted(true, "", "evil.example:8080"));
    CHECK_FALSE(host_accepted(true, "", "127.0.0.1.evil.example"));
    CHECK(host_accepted(true, "t", "anything"));
    RequestCredentials r;
    r.host = "127.0.0.1:8080";
    CHECK_FALSE(csrf_accepted(r));
    r.csrf_header = "1";
    CHECK(csrf_accepted(r));
    r.origin = "http://127.0.0.1:8080";
    CHECK(csrf_accepted(r));
    r.origin = "http://evil.example";
    CHECK_FALSE(csrf_accepted(r));
}

TEST_CASE("json_string escapes and repairs") {
    CHECK(json_string("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
    CHECK(json_string("\xE2\x98\x83") == "\"\xE2\x98\x83\"");
    CHECK(json_string("a\xFF" "b") == "\"a\xEF\xBF\xBD" "b\"");
    CHECK(json_error("x") == "{\"error\":\"x\"}");
}

TEST_CASE("csv_field quotes and neutralises spreadsheet formulas") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("") == "");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("=1+1") == "'=1+1");
    CHECK(csv_field("+41") == "'+41");
    CHECK(csv_field("-5") == "'-5");
    CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_field("\tx") == "'\tx");
    CHECK(csv_field("\rx") == "\"'\rx\"");
    CHECK(csv_field("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_field("a=b") == "a=b");  // only the first character counts
    CHECK(csv_field("{\"a\": -1}") == "\"{\"\"a\"\": -1}\"");
}
