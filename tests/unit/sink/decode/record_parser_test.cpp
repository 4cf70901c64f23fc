// Record parsing: every op of the plugin's format, raw images passed through untouched.
#include <doctest/doctest.h>

#include "decode/record_parser.h"

using namespace pgtrail;

TEST_CASE("begin and commit records") {
    RecordParser parser;
    const Record &b = parser.parse(R"({"op":"B","xid":744,"lsn":"0/1634F38","ts":"2026-11-21T09:26:00.123456+00:00"})");
    CHECK(b.op == 'B');
    CHECK(b.xid == 744);
    CHECK(b.lsn == 0x1634F38);
    CHECK(b.ts == "2026-11-21T09:26:00.123456+00:00");
    const Record &c = parser.parse(R"({"op":"C","xid":4294967295,"lsn":"1/0","ts":"2026-11-21T09:26:00+00:00"})");
    CHECK(c.op == 'C');
    CHECK(c.xid == 4294967295u);
    CHECK(c.lsn == (1ull << 32));
}

TEST_CASE("insert: after image raw, key value extracted") {
    RecordParser parser;
    std::string json =
        R"({"op":"I","lsn":"0/16350A0","schema":"public","table":"orders","pk":["id"],"after":{"name":"a\"b","id":42,"tags":[1,{"k":"}"}]}})";
    const Record &r = parser.parse(json);
    CHECK(r.op == 'I');
    CHECK(r.lsn == 0x16350A0);
    CHECK(r.schema == "public");
    CHECK(r.table == "orders");
    REQUIRE(r.pk.size() == 1);
    CHECK(r.pk[0] == "id");
    CHECK(r.after == R"({"name":"a\"b","id":42,"tags":[1,{"k":"}"}]})");
    CHECK(r.before.empty());
    REQUIRE(r.after_key.size() == 1);
    CHECK(r.after_key[0].raw == "42");
    CHECK(!r.after_key[0].is_string);
}

TEST_CASE("update with before and unchanged; string keys unescaped") {
    RecordParser parser;
    const Record &r = parser.parse(
        R"({"op":"U","lsn":"0/1","schema":"s","table":"We\"ird","pk":["a","b"],"before":{"a":"x\ny","b":2},"after":{"a":"x\ny","b":3,"big":null},"unchanged":["big","c\"d"]})");
    CHECK(r.op == 'U');
    CHECK(r.table == "We\"ird");
    CHECK(r.before == R"({"a":"x\ny","b":2})");
    CHECK(r.after == R"({"a":"x\ny","b":3,"big":null})");
    REQUIRE(r.after_key.size() == 2);
    CHECK(r.after_key[0].is_string);
    CHECK(r.after_key[0].raw == R"("x\ny")");
    CHECK(r.after_key[0].text == "x\ny");
    CHECK(r.after_key[1].raw == "3");
    REQUIRE(r.before_key.size() == 2);
    CHECK(r.before_key[1].raw == "2");
    REQUIRE(r.unchanged.size() == 2);
    CHECK(r.unchanged[1] == "c\"d");
}

TEST_CASE("lossy lists the columns holding placeholders (FORMAT.md, values that cannot be stored)") {
    RecordParser parser;
    const Record &r = parser.parse(
        R"({"op":"I","lsn":"0/1","schema":"s","table":"t","pk":["id"],"after":{"id":1,"big":"<pgtrail: value of 300000000 bytes omitted: over jsonb's limit of 268435455 bytes>"},"lossy":["big","q\"x"]})");
    REQUIRE(r.lossy.size() == 2);
    CHECK(r.lossy[0] == "big");
    CHECK(r.lossy[1] == "q\"x");
    const Record &plain = parser.parse(R"({"op":"I","lsn":"0/1","schema":"s","table":"t","pk":[],"after":{}})");
    CHECK(plain.lossy.empty());
}

TEST_CASE("delete, truncate, message") {
    RecordParser parser;
    const Record &d = parser.parse(R"({"op":"D","lsn":"0/2","schema":"s","table":"t","pk":[],"before":{}})");
    CHECK(d.op == 'D');
    CHECK(d.before == "{}");
    CHECK(d.before_key.empty());
    const Record &t = parser.parse(R"({"op":"T","lsn":"0/3","schema":"s","table":"t","pk":["id"],"cascade":false,"restart_identity":true})");
    CHECK(t.op == 'T');
    CHECK(t.table == "t");
    const Record &m = parser.parse(R"({"op":"M","lsn":"0/4","transactional":true,"prefix":"_bemi","content":"{\"user_id\":1}"})");
    CHECK(m.op == 'M');
    CHECK(m.transactional);
    CHECK(m.prefix == "_bemi");
    CHECK(m.content == R"({"user_id":1})");
}

TEST_CASE("a key missing from the image gives no key values") {
    RecordParser parser;
    const Record &r = parser.parse(R"({"op":"D","lsn":"0/2","schema":"s","table":"t","pk":["id","x"],"before":{"id":1}})");
    CHECK(r.before_key.empty());
}

TEST_CASE("composite and null key values") {
    RecordParser parser;
    const Record &r = parser.parse(R"({"op":"I","lsn":"0/2","schema":"s","table":"t","pk":["c","n"],"after":{"c":{"a":[1,2]},"n":null}})");
    REQUIRE(r.after_key.size() == 2);
    CHECK(r.after_key[0].raw == R"({"a":[1,2]})");
    CHECK(r.after_key[1].is_null);
}

TEST_CASE("malformed records throw RecordError") {
    RecordParser parser;
    CHECK_THROWS_AS(parser.parse("not json"), RecordError);
    CHECK_THROWS_AS(parser.parse(R"({"lsn":"0/1"})"), RecordError);
    CHECK_THROWS_AS(parser.parse(R"({"op":"B","lsn":"zz"})"), RecordError);
    CHECK_THROWS_AS(parser.parse(R"({"op":"I","lsn":"0/1","after":[1]})"), RecordError);
}

TEST_CASE("a padded record is parsed where it lies; escaped names still match the key") {
    std::string json = R"({"op":"U","lsn":"0/1","schema":"s","table":"t\"x","pk":["k\"1","id"],"before":{"k\"1":"a","id":1},"after":{"id":2,"k\u00221":"b\u0041"}})";
    std::string buffer = json + std::string(kPayloadPadding, '\0');
    RecordParser parser;
    const Record &r = parser.parse_padded(std::string_view(buffer.data(), json.size()));
    CHECK(r.table == "t\"x");
    REQUIRE(r.pk.size() == 2);
    CHECK(r.pk[0] == "k\"1");
    CHECK(r.after.data() >= buffer.data());  // a view into the caller's buffer, not a copy
    CHECK(r.after.data() < buffer.data() + buffer.size());
    REQUIRE(r.before_key.size() == 2);
    CHECK(r.before_key[0].text == "a");
    REQUIRE(r.after_key.size() == 2);  // "k\u00221" is the name k"1
    CHECK(r.after_key[0].text == "bA");
    CHECK(r.after_key[1].raw == "2");
    // The next record reuses the parser; nothing of the first one shows through.
    const Record &d = parser.parse(R"({"op":"D","lsn":"0/2","schema":"s","table":"t","pk":[],"before":{}})");
    CHECK(d.pk.empty());
    CHECK(d.after.empty());
    CHECK(d.after_key.empty());
}
