// The pgtrail decoder: each record becomes the event the rest of the sink consumes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "decode/pgtrail_decoder.h"

using namespace pgtrail;

namespace {

/// Writes each event as one line of text.
struct Recorder : EventHandler {
    std::vector<std::string> lines;
    void on_begin(const BeginEvent &e) override {
        lines.push_back("begin " + std::to_string(e.xid) + " " + std::to_string(e.commit_lsn) + " " + std::string(e.commit_time));
    }
    void on_row_change(const RowChangeEvent &e) override {
        std::string keys;
        for (auto k : e.key_columns) keys += std::string(k) + ",";
        std::string key_values;
        for (const auto &k : e.after_key.empty() ? e.before_key : e.after_key) key_values += std::string(k.text) + ",";
        std::string unchanged;
        for (auto u : e.unchanged) unchanged += std::string(u) + ",";
        lines.push_back(std::string(1, e.op) + " " + std::to_string(e.lsn) + " " + std::string(e.schema) + "." +
                        std::string(e.table) + " keys=" + keys + " values=" + key_values + " before=" +
                        std::string(e.before) + " after=" + std::string(e.after) + " unchanged=" + unchanged);
    }
    void on_truncate(const TruncateEvent &e) override {
        lines.push_back("truncate " + std::to_string(e.lsn) + " " + std::string(e.schema) + "." + std::string(e.table) +
                        (e.cascade ? " cascade" : "") + (e.restart_identity ? " restart" : ""));
    }
    void on_message(const MessageEvent &e) override {
        lines.push_back("message " + std::string(e.transactional ? "t " : "n ") + std::string(e.prefix) + " " +
                        std::string(e.content));
    }
    void on_commit(const CommitEvent &e) override {
        lines.push_back("commit " + std::to_string(e.end_lsn) + " " + std::string(e.commit_time));
    }
};

}  // namespace

TEST_CASE("a transaction's records become begin, message, changes, truncate and commit events") {
    PgtrailDecoder decoder;
    Recorder out;
    const char *records[] = {
        R"({"op":"B","xid":7,"lsn":"0/100","ts":"2026-11-21T09:26:00+00:00"})",
        R"({"op":"M","lsn":"0/10","transactional":true,"prefix":"_bemi","content":"{\"u\":1}"})",
        R"({"op":"I","lsn":"0/20","schema":"public","table":"t","pk":["id"],"after":{"id":5,"b":"x"}})",
        R"({"op":"U","lsn":"0/30","schema":"public","table":"t","pk":["id"],"before":{"id":5},"after":{"id":6},"unchanged":["big"]})",
        R"({"op":"D","lsn":"0/40","schema":"public","table":"t","pk":["id"],"before":{"id":6}})",
        R"({"op":"T","lsn":"0/50","schema":"public","table":"t","cascade":true,"restart_identity":false})",
        R"({"op":"C","xid":7,"lsn":"0/120","ts":"2026-11-21T09:26:00+00:00"})",
    };
    for (const char *record : records) decoder.decode(record, 0, out);
    REQUIRE(out.lines.size() == 7);
    CHECK(out.lines[0] == "begin 7 256 2026-11-21T09:26:00+00:00");
    CHECK(out.lines[1] == R"(message t _bemi {"u":1})");
    CHECK(out.lines[2] == R"(I 32 public.t keys=id, values=5, before= after={"id":5,"b":"x"} unchanged=)");
    CHECK(out.lines[3] == R"(U 48 public.t keys=id, values=6, before={"id":5} after={"id":6} unchanged=big,)");
    CHECK(out.lines[4] == R"(D 64 public.t keys=id, values=6, before={"id":6} after= unchanged=)");
    CHECK(out.lines[5] == "truncate 80 public.t cascade");
    CHECK(out.lines[6] == "commit 288 2026-11-21T09:26:00+00:00");
}

TEST_CASE("a malformed record is a DecodeError naming its position, never its content") {
    PgtrailDecoder decoder;
    Recorder out;
    std::string secret = R"({"op":"I","lsn":"0/20","schema":"s","table":"t","after":{"password":"hunter2")";
    try {
        decoder.decode(secret, 0x16B3748, out);
        FAIL("no error");
    } catch (const DecodeError &error) {
        std::string text = error.what();
        CHECK(text.find("0/16B3748") != std::string::npos);
        CHECK(text.find("hunter2") == std::string::npos);
    }
    CHECK(out.lines.empty());
}

TEST_CASE("an unknown op is no event") {
    PgtrailDecoder decoder;
    Recorder out;
    decoder.decode(R"({"op":"X","lsn":"0/1"})", 0, out);
    CHECK(out.lines.empty());
}

TEST_CASE("a record in pieces (max-message-bytes) is one event once its last piece arrives") {
    PgtrailDecoder decoder;
    Recorder out;
    std::string record = R"({"op":"I","lsn":"0/20","schema":"public","table":"t","pk":["id"],"after":{"id":5,"b":"x"}})";
    std::size_t half = record.size() / 2;
    decoder.decode_padded("+" + record.substr(0, half), 0, out);
    CHECK(out.lines.empty());
    decoder.decode("=" + record.substr(half), 0x20, out);
    decoder.decode(R"({"op":"C","xid":7,"lsn":"0/120","ts":"2026-11-21T09:26:00+00:00"})", 0x120, out);
    REQUIRE(out.lines.size() == 2);
    CHECK(out.lines[0] == R"(I 32 public.t keys=id, values=5, before= after={"id":5,"b":"x"} unchanged=)");
    CHECK(out.lines[1] == "commit 288 2026-11-21T09:26:00+00:00");
}

TEST_CASE("a record between the pieces of another is a DecodeError naming the position") {
    PgtrailDecoder decoder;
    Recorder out;
    decoder.decode("+{\"op\":\"I\"", 0, out);
    CHECK_THROWS_WITH_AS(decoder.decode(R"({"op":"C","xid":7,"lsn":"0/120","ts":"x"})", 0x16B3748, out),
                         doctest::Contains("0/16B3748"), DecodeError);
    CHECK(out.lines.empty());
}
