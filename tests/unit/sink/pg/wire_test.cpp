// Replication protocol messages and LSNs.
#include <doctest/doctest.h>

#include "json_escape.h"
#include "pg/wire.h"

using namespace pgtrail;

namespace {

std::string be64(std::uint64_t v) {
    std::string s;
    for (int shift = 56; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xFF));
    return s;
}

}  // namespace

TEST_CASE("XLogData header and payload") {
    std::string msg = "w" + be64(0x1634F38) + be64(0x1635000) + be64(12345) + "{\"op\":\"B\"}";
    auto x = parse_xlogdata(msg);
    REQUIRE(x);
    CHECK(x->data_start == 0x1634F38);
    CHECK(x->wal_end == 0x1635000);
    CHECK(x->send_time == 12345);
    CHECK(x->payload == "{\"op\":\"B\"}");
    CHECK(!parse_xlogdata("w123"));
    CHECK(!parse_keepalive(msg));
}

TEST_CASE("keepalive") {
    std::string msg = "k" + be64(0xABCDEF0123ull) + be64(7) + std::string(1, '\1');
    auto k = parse_keepalive(msg);
    REQUIRE(k);
    CHECK(k->wal_end == 0xABCDEF0123ull);
    CHECK(k->reply_requested);
    CHECK(!parse_keepalive("k"));
}

TEST_CASE("standby status update layout") {
    std::string msg = build_status_update(3, 2, 1, kPostgresEpochOffsetMicros + 99, true);
    REQUIRE(msg.size() == 34);
    CHECK(msg[0] == 'r');
    CHECK(read_be64(msg.data() + 1) == 3);
    CHECK(read_be64(msg.data() + 9) == 2);
    CHECK(read_be64(msg.data() + 17) == 1);
    CHECK(read_be64(msg.data() + 25) == 99);
    CHECK(msg[33] == 1);
}

TEST_CASE("LSN text round trip") {
    std::uint64_t lsn = 0;
    CHECK(parse_lsn("16/B374D848", 11, &lsn));
    CHECK(lsn == 0x16B374D848ull);
    char buf[24];
    CHECK(std::string(buf, format_lsn(lsn, buf)) == "16/B374D848");
    CHECK(!parse_lsn("nope", 4, &lsn));
}
