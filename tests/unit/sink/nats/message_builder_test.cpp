// Transactions cut into messages: one table per message, under the size, the last one final.
#include <doctest/doctest.h>

#include <map>

#include "nats/message_builder.h"
#include "nats/reader_position.h"
#include "nats/subjects.h"

using namespace pgtrail;

TEST_CASE("subjects: one token per name, anything but [A-Za-z0-9_-] percent-encoded") {
    CHECK(change_subject("pgtrail", "shop", "public", "orders") == "pgtrail.shop.public.orders");
    CHECK(change_subject("pgtrail", "my db", "a.b", "*>%") == "pgtrail.my%20db.a%2Eb.%2A%3E%25");
    CHECK(subject_token("") == "%");
    CHECK(subject_token("é") == "%C3%A9");
}

TEST_CASE("a transaction's messages: a new one per table and when full, the last final") {
    MessageBuilder builder(20);
    builder.begin(500);
    builder.add("s.a", "0123456789\n", 0);
    builder.add("s.a", "0123456789\n", 1);  // 22 > 20: a second message
    builder.add("s.b", "x\n", 2);           // another table
    builder.add("s.b", "y\n", 3);
    CHECK(builder.commit(900, "t"));
    auto &sealed = builder.sealed();
    REQUIRE(sealed.size() == 3);
    CHECK(sealed[0].subject == "s.a");
    CHECK(sealed[0].chunk == 0);
    CHECK(sealed[1].chunk == 1);
    CHECK(sealed[2].subject == "s.b");
    CHECK(sealed[2].body == "x\ny\n");
    CHECK(sealed[2].last_ordinal == 3);
    CHECK(!sealed[1].final);
    CHECK(sealed[2].final);
    CHECK(sealed[2].end_lsn == 900);
    CHECK(builder.sealed_bytes() == 26);
    builder.pop_front(2);
    CHECK(builder.sealed().size() == 1);
    CHECK(builder.sealed_bytes() == 4);
}

TEST_CASE("an empty transaction makes no message; a change bigger than a message is refused") {
    MessageBuilder builder(8);
    builder.begin(1);
    CHECK(!builder.commit(2, "t"));
    CHECK(builder.sealed().empty());
    builder.begin(3);
    CHECK_THROWS_AS(builder.add("s.a", "0123456789\n", 0), OversizedChange);
}

TEST_CASE("a restarted reader resumes after the stream's last message") {
    CHECK(reader_start(StreamTail{}).start_lsn == 0);  // empty stream: the slot's own position
    StreamTail whole{12, 500, 900, 2, 40, true};
    ReaderStart after_whole = reader_start(whole);
    CHECK(after_whole.start_lsn == 900);
    CHECK(after_whole.partial_commit_lsn == 0);
    StreamTail half{12, 500, 0, 2, 40, false};
    ReaderStart after_half = reader_start(half);
    CHECK(after_half.start_lsn == 500);  // the transaction again, from its commit
    CHECK(after_half.partial_commit_lsn == 500);
    CHECK(after_half.skip_through == 40);
    CHECK(after_half.next_chunk == 3);
    CHECK(message_id(500, 3) == "500-3");
}

TEST_CASE("the tail is read from the headers; a foreign message is refused") {
    std::map<std::string, std::string> headers{{kCommitLsnHeader, "500"}, {kChunkHeader, "2"}, {kLastOrdinalHeader, "40"},
                                               {kFinalHeader, "true"}, {kEndLsnHeader, "900"}};
    auto lookup = [&](const char *name) -> std::optional<std::string> {
        auto found = headers.find(name);
        return found == headers.end() ? std::nullopt : std::optional<std::string>(found->second);
    };
    StreamTail tail = read_tail(7, lookup);
    CHECK(tail.final);
    CHECK(tail.end_lsn == 900);
    CHECK(tail.chunk == 2);
    headers.erase(kCommitLsnHeader);
    CHECK_THROWS_AS(read_tail(7, lookup), std::runtime_error);
}
