// COPY rows: commit_lsn filled at commit, streaming with a provisional commit_lsn.
#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "change_encoder.h"

using namespace pgtrail;

namespace {

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in{std::string(text)};
    while (std::getline(in, part, sep)) parts.push_back(part);
    return parts;
}

Record begin_record() {
    Record b;
    b.op = 'B';
    b.xid = 744;
    b.lsn = 1000;
    b.ts = "2026-11-21T09:26:00.123456+00:00";
    return b;
}

Record commit_record() {
    Record c;
    c.op = 'C';
    c.xid = 744;
    c.lsn = 1100;
    return c;
}

Record insert_record(std::uint64_t lsn) {
    Record r;
    r.op = 'I';
    r.lsn = lsn;
    r.schema = "public";
    r.table = "t";
    r.after = R"({"id":1,"s":"a\\b"})";
    r.after_key = {KeyValue{"1", "1", false, false}};
    return r;
}

}  // namespace

TEST_CASE("rows wait for the commit, then carry its end LSN") {
    ChangeEncoder enc("db", 1 << 20);
    enc.begin(begin_record());
    enc.set_context(R"({"user_id":1})");
    enc.add(insert_record(1010), "2026-11-21 09:26:01.000000+00");
    CHECK(enc.ready().empty());
    enc.commit(commit_record());
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 1);
    auto f = split(rows[0], '\t');
    REQUIRE(f.size() == 15);
    CHECK(f[0] == "00000000000000001100");
    CHECK(f[1] == "0");
    CHECK(f[2] == "1010");
    CHECK(f[3] == "744");
    CHECK(f[4] == "2026-11-21T09:26:00.123456+00:00");
    CHECK(f[5] == "2026-11-21 09:26:01.000000+00");
    CHECK(f[6] == "CREATE");
    CHECK(f[7] == "db");
    CHECK(f[8] == "public");
    CHECK(f[9] == "t");
    CHECK(f[10] == "1");
    CHECK(f[11] == "\\N");
    CHECK(f[12] == R"({"id":1,"s":"a\\\\b"})");
    CHECK(f[13] == R"({"user_id":1})");
    CHECK(f[14] == "\\N");
    enc.consume_ready();
    CHECK(enc.ready().empty());
    CHECK(enc.fixups().empty());
}

TEST_CASE("ordinals count changes within the transaction; truncate has no key or images") {
    ChangeEncoder enc("db", 1 << 20);
    enc.begin(begin_record());
    enc.add(insert_record(1010), "q");
    Record t;
    t.op = 'T';
    t.lsn = 1020;
    t.schema = "public";
    t.table = "t";
    enc.add(t, "q");
    CHECK(enc.xact_changes() == 2);
    enc.commit(commit_record());
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 2);
    auto f = split(rows[1], '\t');
    CHECK(f[1] == "1");
    CHECK(f[6] == "TRUNCATE");
    CHECK(f[10] == "\\N");
    CHECK(f[12] == "\\N");
}

TEST_CASE("a transaction over the buffer limit streams with a provisional commit_lsn") {
    ChangeEncoder enc("db", 200);
    enc.begin(begin_record());
    enc.add(insert_record(1010), "q");
    CHECK(enc.ready().empty());
    enc.add(insert_record(1011), "q");  // over 200 bytes: streaming starts
    CHECK(enc.streaming());
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 2);
    CHECK(split(rows[0], '\t')[0] == "-0000000000000001000");
    enc.consume_ready();
    enc.add(insert_record(1012), "q");
    CHECK(split(enc.ready(), '\t')[0] == "-0000000000000001000");
    enc.consume_ready();
    enc.commit(commit_record());
    REQUIRE(enc.fixups().size() == 1);
    CHECK(enc.fixups()[0].provisional == -1000);
    CHECK(enc.fixups()[0].commit_lsn == 1100);
    enc.reset();
    CHECK(enc.fixups().empty());
}

TEST_CASE("rows already final are sent while the next transaction waits") {
    ChangeEncoder enc("db", 1 << 20);
    enc.begin(begin_record());
    enc.add(insert_record(1010), "q");
    enc.commit(commit_record());
    Record b2 = begin_record();
    b2.lsn = 2000;
    enc.begin(b2);
    enc.add(insert_record(2010), "q");
    CHECK(split(enc.ready(), '\n').size() == 1);
    enc.consume_ready();
    Record c2 = commit_record();
    c2.lsn = 2100;
    enc.commit(c2);
    CHECK(split(enc.ready(), '\t')[0] == "00000000000000002100");
}

TEST_CASE("fixed-width numbers") {
    CHECK(fixed_width_number(5) == "00000000000000000005");
    CHECK(fixed_width_number(-5) == "-0000000000000000005");
}
