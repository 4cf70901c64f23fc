// COPY rows: final as soon as encoded, commit_lsn from the begin event (the commit record's start).
#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "stream/change_encoder.h"

using namespace pgtrail;

namespace {

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in{std::string(text)};
    while (std::getline(in, part, sep)) parts.push_back(part);
    return parts;
}

BeginEvent begin_record() {
    BeginEvent b;
    b.xid = 744;
    b.commit_lsn = 1100;  // the commit record starts after the changes
    b.commit_time = "2026-11-21T09:26:00.123456+00:00";
    return b;
}

RowChangeEvent insert_record(std::uint64_t lsn) {
    RowChangeEvent r;
    r.op = 'I';
    r.lsn = lsn;
    r.schema = "public";
    r.table = "t";
    r.after = R"({"id":1,"s":"a\\b"})";
    r.after_key = {KeyValue{"1", "1", false, false}};
    return r;
}

}  // namespace

TEST_CASE("rows are final at once and carry the commit record's start LSN") {
    ChangeEncoder enc("db");
    enc.begin(begin_record());
    enc.set_context(R"({"user_id":1})");
    enc.add(insert_record(1010), "2026-11-21 09:26:01.000000+00");
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 1);
    auto f = split(rows[0], '\t');
    REQUIRE(f.size() == 17);
    CHECK(f[0] == "1100");
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
    CHECK(f[15] == "\\N");
    CHECK(f[16] == "\\N");
    enc.consume_ready();
    CHECK(enc.ready().empty());
}

TEST_CASE("the plugin's lossy columns go into the lossy column as a text array") {
    ChangeEncoder enc("db");
    enc.begin(begin_record());
    RowChangeEvent r = insert_record(1010);
    r.lossy = {"big", "we\"ird"};
    enc.add(r, "q");
    auto f = split(split(enc.ready(), '\n')[0], '\t');
    REQUIRE(f.size() == 17);
    CHECK(f[15] == R"({"big","we\\"ird"})");
}

TEST_CASE("ordinals count changes within the transaction; truncate has no key or images") {
    ChangeEncoder enc("db");
    enc.begin(begin_record());
    enc.add(insert_record(1010), "q");
    TruncateEvent t;
    t.lsn = 1020;
    t.schema = "public";
    t.table = "t";
    enc.add(t, "q");
    CHECK(enc.xact_changes() == 2);
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 2);
    auto f = split(rows[1], '\t');
    CHECK(f[0] == "1100");
    CHECK(f[1] == "1");
    CHECK(f[6] == "TRUNCATE");
    CHECK(f[10] == "\\N");
    CHECK(f[12] == "\\N");
    CHECK(f[16] == "\\N");
}

TEST_CASE("an UPDATE that changed the key names the old key in moved_from; other changes leave it NULL") {
    ChangeEncoder enc("db");
    enc.begin(begin_record());
    RowChangeEvent moved = insert_record(1010);
    moved.op = 'U';
    moved.before = R"({"id":7})";
    moved.before_key = {KeyValue{"7", "7", false, false}};
    enc.add(moved, "q");
    RowChangeEvent kept = moved;
    kept.before_key = kept.after_key;
    enc.add(kept, "q");
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 2);
    auto f = split(rows[0], '\t');
    REQUIRE(f.size() == 17);
    CHECK(f[10] == "1");
    CHECK(f[16] == "7");
    CHECK(split(rows[1], '\t')[16] == "\\N");
}

TEST_CASE("a big transaction streams: rows sent mid-transaction keep their commit_lsn and ordinals go on") {
    ChangeEncoder enc("db");
    enc.begin(begin_record());
    for (std::uint64_t i = 0; i < 1000; i++) {
        enc.add(insert_record(100 + i), "q");
        auto rows = split(enc.ready(), '\n');
        REQUIRE(rows.size() == 1);
        auto f = split(rows[0], '\t');
        CHECK(f[0] == "1100");
        CHECK(f[1] == std::to_string(i));
        enc.consume_ready();
    }
    CHECK(enc.xact_changes() == 1000);
}

TEST_CASE("the next transaction starts its ordinals over under its own commit_lsn") {
    ChangeEncoder enc("db");
    enc.begin(begin_record());
    enc.add(insert_record(1010), "q");
    BeginEvent b2 = begin_record();
    b2.commit_lsn = 2100;
    b2.xid = 745;
    enc.begin(b2);
    CHECK(enc.xact_changes() == 0);
    enc.add(insert_record(2010), "q");
    auto rows = split(enc.ready(), '\n');
    REQUIRE(rows.size() == 2);
    auto f = split(rows[1], '\t');
    CHECK(f[0] == "2100");
    CHECK(f[1] == "0");
    CHECK(f[3] == "745");
}

TEST_CASE("ordinals can start after rows already stored under the same commit_lsn") {
    ChangeEncoder enc("db");
    enc.begin(begin_record(), 5);
    CHECK(enc.xact_changes() == 0);
    enc.add(insert_record(1010), "q");
    CHECK(enc.xact_changes() == 1);
    auto f = split(split(enc.ready(), '\n')[0], '\t');
    CHECK(f[0] == "1100");
    CHECK(f[1] == "5");
}

TEST_CASE("a huge image goes out in escaped pieces, byte for byte the row it would be whole") {
    std::string image = "{\"id\":1,\"v\":\"";
    for (int i = 0; i < 300000; i++) image += (i % 1000 == 0) ? "\\u0000\\\\\t" : "abcdefgh";
    image += "\"}";
    RowChangeEvent r = insert_record(1000);
    r.after = image;
    ChangeEncoder whole("db"), streamed("db");
    whole.set_stream_huge_images(false);
    for (ChangeEncoder *enc : {&whole, &streamed}) {
        enc->begin(begin_record());
        enc->add(r, "2026-11-30 06:00:01.000000+00");
        enc->add(insert_record(1001), "2026-11-30 06:00:01.000000+00");
    }
    CHECK(streamed.holds_views());
    CHECK_FALSE(whole.holds_views());
    CHECK(streamed.nul_escapes() == 300);
    CHECK(whole.nul_escapes() == 300);
    std::string expected(whole.ready()), sent;
    std::size_t pieces = 0;
    for (std::string_view piece = streamed.ready(); !piece.empty(); piece = streamed.ready(), pieces++) {
        CHECK(piece.size() <= 2 * 1024 * 1024 + 16);  // never the whole escaped image at once
        sent += piece;
        streamed.consume_ready();
    }
    CHECK(pieces > 3);
    CHECK(sent == expected);
    CHECK_FALSE(streamed.holds_views());
    CHECK(streamed.pending() == 0);
}
