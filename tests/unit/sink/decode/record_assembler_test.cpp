// Records in pieces (max-message-bytes): joined once, exactly, whatever the cut points.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "decode/events.h"
#include "decode/record_assembler.h"

using namespace pgtrail;

namespace {

/// The payloads the plugin writes for record in pieces of at most max bytes (marker included).
std::vector<std::string> split(const std::string &record, std::size_t max) {
    std::vector<std::string> pieces;
    for (std::size_t at = 0; at < record.size(); at += max - 1) {
        bool last = at + max - 1 >= record.size();
        pieces.push_back((last ? "=" : "+") + record.substr(at, max - 1));
    }
    return pieces;
}

}  // namespace

TEST_CASE("a whole record is ready as it is, untouched") {
    RecordAssembler assembler;
    std::string record = R"({"op":"C","xid":1,"lsn":"0/1"})";
    auto ready = assembler.take(record);
    REQUIRE(ready);
    CHECK(ready->record.data() == record.data());
    CHECK_FALSE(ready->joined);
    CHECK_FALSE(assembler.pending());
}

TEST_CASE("pieces are joined into the record, padded, at every cut point") {
    std::string record = R"({"op":"I","lsn":"0/20","schema":"s","table":"t","pk":["id"],"after":{"id":1,"v":"é€😀+="}})";
    for (std::size_t max = 2; max <= record.size() + 2; max++) {
        CAPTURE(max);
        RecordAssembler assembler;
        std::vector<std::string> pieces = split(record, max);
        for (std::size_t i = 0; i + 1 < pieces.size(); i++) {
            CHECK_FALSE(assembler.take(pieces[i]));
            CHECK(assembler.pending());
        }
        auto ready = assembler.take(pieces.back());
        REQUIRE(ready);
        CHECK(ready->joined);
        CHECK(ready->record == record);
        char padding[kPayloadPadding] = {};
        CHECK(std::memcmp(ready->record.data() + record.size(), padding, kPayloadPadding) == 0);
        CHECK_FALSE(assembler.pending());
    }
}

TEST_CASE("a record in pieces of exactly the piece size, then whole records and another in pieces") {
    RecordAssembler assembler;
    std::string a(3 * 1024, 'a'), b = "{}", c(1024 * 1024 + 1, 'c');
    for (const auto &piece : split(a, 1025)) assembler.take(piece);  // 3 pieces of 1024 bytes exactly
    auto whole = assembler.take(b);                                  // frees a, hands b over as it is
    REQUIRE(whole);
    CHECK(whole->record == b);
    std::vector<std::string> pieces = split(c, 1024 * 1024);
    REQUIRE(pieces.size() == 2);
    CHECK(pieces[1] == "=cc");  // the last piece holds the 2 bytes past the first piece
    CHECK_FALSE(assembler.take(pieces[0]));
    auto joined = assembler.take(pieces[1]);
    REQUIRE(joined);
    CHECK(joined->record == c);
}

TEST_CASE("a whole record between pieces is an error, and the next record is taken afresh") {
    RecordAssembler assembler;
    CHECK_FALSE(assembler.take("+{\"op\":"));
    CHECK_THROWS_AS(assembler.take(R"({"op":"C"})"), DecodeError);
    // The broken record's pieces are dropped: what follows is taken afresh.
    CHECK_FALSE(assembler.pending());
    auto next = assembler.take(R"({"op":"B"})");
    REQUIRE(next);
    CHECK(next->record == R"({"op":"B"})");
}
