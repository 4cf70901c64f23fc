// The pgoutput decoder over messages built as proto.c writes them: events, keys, unchanged
// TOASTed values, origins, filters, truncates, and the catalog lookups it asks for.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "decode/pgoutput_decoder.h"

using namespace pgtrail;

namespace {

/// Builds one pgoutput message (big-endian integers, NUL-terminated strings).
struct Msg {
    std::string b;
    explicit Msg(char type) { b.push_back(type); }
    Msg &i8(int v) { b.push_back(static_cast<char>(v)); return *this; }
    Msg &i16(int v) { return i8(v >> 8).i8(v & 0xff); }
    Msg &i32(std::uint32_t v) { return i16(static_cast<int>(v >> 16)).i16(static_cast<int>(v & 0xffff)); }
    Msg &i64(std::uint64_t v) { return i32(static_cast<std::uint32_t>(v >> 32)).i32(static_cast<std::uint32_t>(v)); }
    Msg &str(std::string_view s) { b.append(s); b.push_back('\0'); return *this; }
    Msg &text(std::string_view s) { i8('t').i32(static_cast<std::uint32_t>(s.size())); b.append(s); return *this; }
    Msg &null() { return i8('n'); }
    Msg &toast() { return i8('u'); }
};

struct Recorder : EventHandler {
    std::vector<std::string> lines;
    void on_begin(const BeginEvent &e) override {
        lines.push_back("begin " + std::to_string(e.xid) + " " + std::to_string(e.commit_lsn) + " " + std::string(e.commit_time));
    }
    void on_row_change(const RowChangeEvent &e) override {
        std::string keys, values, unchanged;
        for (auto k : e.key_columns) keys += std::string(k) + ",";
        for (const auto &k : e.after_key.empty() ? e.before_key : e.after_key) values += std::string(k.text) + "|";
        for (auto u : e.unchanged) unchanged += std::string(u) + ",";
        lines.push_back(std::string(1, e.op) + " " + std::to_string(e.lsn) + " " + std::string(e.schema) + "." + std::string(e.table) +
                        " keys=" + keys + " values=" + values + " before=" + std::string(e.before) + " after=" +
                        std::string(e.after) + " unchanged=" + unchanged);
    }
    void on_truncate(const TruncateEvent &e) override {
        lines.push_back("truncate " + std::string(e.schema) + "." + std::string(e.table) + (e.cascade ? " cascade" : "") +
                        (e.restart_identity ? " restart" : ""));
    }
    void on_message(const MessageEvent &e) override {
        lines.push_back("message " + std::string(e.prefix) + " " + std::string(e.content));
    }
    void on_commit(const CommitEvent &e) override { lines.push_back("commit " + std::to_string(e.end_lsn)); }
};

PgoutputFilters default_filters() {
    PgoutputFilters f;
    f.exclude_origins = {"pgtrail*"};
    f.messages = {"_bemi"};
    f.exclude_tables = parse_table_patterns("public.changes");
    return f;
}

/// Answers the decoder's catalog queries as the server would: the rows (by the query's kind) whose
/// OID the query asks for.
void answer(PgoutputDecoder &d, const std::vector<std::string> &relation_rows, const std::vector<std::string> &type_rows,
            std::vector<std::string> *asked = nullptr) {
    while (auto sql = d.catalog_query()) {
        bool relations = sql->find("pg_class c") != std::string::npos;
        if (asked) asked->push_back(relations ? "relations" : "types");
        std::size_t from = sql->find("'{") + 1, to = sql->find("}'", from);
        std::string oids = "," + sql->substr(from + 1, to - from - 1) + ",";
        std::vector<std::string> rows;
        for (const auto &row : relations ? relation_rows : type_rows) {
            std::size_t at = row.find("\"oid\": ") + 7;
            if (oids.find("," + row.substr(at, row.find(',', at) - at) + ",") != std::string::npos) rows.push_back(row);
        }
        d.on_catalog_rows(rows);
    }
}

// Relation 16400 public.t (b text, a int4, doc text): key flagged (b, a), primary key (a, b).
Msg relation_t(char replident = 'd') {
    return Msg('R').i32(16400).str("public").str("t").i8(replident).i16(3)
        .i8(1).str("b").i32(25).i32(-1).i8(1).str("a").i32(23).i32(-1).i8(replident == 'f').str("doc").i32(25).i32(-1);
}
const std::string kRowT = R"({"oid": 16400, "schema": "public", "name": "t", "replident": "d", "pk": ["a", "b"], "identity": null})";

Msg begin(std::uint32_t xid) { return Msg('B').i64(1000).i64(0).i32(xid); }
Msg commit() { return Msg('C').i8(0).i64(1000).i64(1100).i64(0); }

}  // namespace

TEST_CASE("a transaction: begin at its first change, keys in key order from the catalog, commit end LSN") {
    PgoutputDecoder d(default_filters());
    Recorder r;
    d.decode(begin(7).b, 900, r);
    d.decode(relation_t().b, 901, r);
    std::vector<std::string> asked;
    answer(d, {kRowT}, {}, &asked);
    CHECK(asked == std::vector<std::string>{"relations"});  // text and int4 are built in
    CHECK(r.lines.empty());  // nothing before the first change
    d.decode(Msg('I').i32(16400).i8('N').i16(3).text("x\"y").text("42").null().b, 950, r);
    d.decode(commit().b, 1050, r);
    REQUIRE(r.lines.size() == 3);
    CHECK(r.lines[0] == "begin 7 1000 2000-01-01 00:00:00.000000+00");
    CHECK(r.lines[1] == R"(I 950 public.t keys=a,b, values=42|x"y| before= after={"b":"x\"y","a":42,"doc":null} unchanged=)");
    CHECK(r.lines[2] == "commit 1100");
}

TEST_CASE("updates and deletes: 'K' old keys, unchanged TOASTed values listed or filled from 'O'") {
    PgoutputDecoder d(default_filters());
    Recorder r;
    d.decode(relation_t().b, 1, r);
    answer(d, {kRowT}, {});
    d.decode(begin(8).b, 2, r);
    d.decode(Msg('U').i32(16400).i8('K').i16(3).text("k").text("1").null().i8('N').i16(3).text("k").text("2").toast().b, 3, r);
    d.decode(Msg('D').i32(16400).i8('K').i16(3).text("k").text("2").null().b, 4, r);
    CHECK(r.lines[1] == R"(U 3 public.t keys=a,b, values=2|k| before={"b":"k","a":1} after={"b":"k","a":2} unchanged=doc,)");
    CHECK(r.lines[2] == R"(D 4 public.t keys=a,b, values=2|k| before={"b":"k","a":2} after= unchanged=)");

    d.decode(relation_t('f').b, 5, r);
    answer(d, {kRowT}, {});
    d.decode(Msg('U').i32(16400).i8('O').i16(3).text("k").text("2").text("big").i8('N').i16(3).text("k").text("2").toast().b, 6, r);
    CHECK(r.lines[3] == R"(U 6 public.t keys=a,b, values=2|k| before={"b":"k","a":2,"doc":"big"} after={"b":"k","a":2,"doc":"big"} unchanged=)");
}

TEST_CASE("without the catalog (a dropped table): the flagged identity; under FULL no key") {
    PgoutputDecoder d(default_filters());
    Recorder r;
    d.decode(relation_t().b, 1, r);
    answer(d, {}, {});
    d.decode(begin(9).b, 2, r);
    d.decode(Msg('I').i32(16400).i8('N').i16(3).text("k").text("1").null().b, 3, r);
    CHECK(r.lines[1].find("keys=b,a, values=k|1|") != std::string::npos);
    d.decode(relation_t('f').b, 4, r);
    answer(d, {}, {});
    d.decode(Msg('I').i32(16400).i8('N').i16(3).text("k").text("1").null().b, 5, r);
    CHECK(r.lines[2].find("keys= values= ") != std::string::npos);
}

TEST_CASE("origins: a transaction replayed under an excluded origin yields nothing") {
    PgoutputDecoder d(default_filters());
    Recorder r;
    d.decode(relation_t().b, 1, r);
    answer(d, {kRowT}, {});
    d.decode(begin(10).b, 2, r);
    d.decode(Msg('O').i64(5).str("pgtrail_other").b, 3, r);
    d.decode(Msg('M').i8(1).i64(4).str("_bemi").i32(2).b + "{}", 4, r);
    d.decode(Msg('I').i32(16400).i8('N').i16(3).text("k").text("1").null().b, 5, r);
    d.decode(commit().b, 6, r);
    CHECK(r.lines.empty());
    d.decode(begin(11).b, 7, r);
    d.decode(Msg('O').i64(5).str("subscriber").b, 8, r);
    d.decode(Msg('M').i8(1).i64(9).str("other_prefix").i32(1).b + "x", 9, r);
    d.decode(Msg('M').i8(1).i64(9).str("_bemi").i32(2).b + "{}", 9, r);
    d.decode(commit().b, 10, r);
    CHECK(r.lines == std::vector<std::string>{"begin 11 1000 2000-01-01 00:00:00.000000+00", "message _bemi {}", "commit 1100"});
}

TEST_CASE("filters and the changes table; truncates one event per reported table, partitions under the root") {
    PgoutputFilters f = default_filters();
    f.include_tables = parse_table_patterns("public.*");
    PgoutputDecoder d(f);
    Recorder r;
    d.decode(Msg('R').i32(1).str("public").str("changes").i8('d').i16(1).i8(1).str("id").i32(2950).i32(-1).b, 1, r);
    d.decode(Msg('R').i32(2).str("").str("p_a").i8('d').i16(1).i8(1).str("id").i32(23).i32(-1).b, 1, r);
    d.decode(Msg('R').i32(3).str("public").str("p_b").i8('d').i16(1).i8(1).str("id").i32(23).i32(-1).b, 1, r);
    d.decode(Msg('R').i32(4).str("other").str("x").i8('d').i16(1).i8(1).str("id").i32(23).i32(-1).b, 1, r);
    answer(d, {R"({"oid": 2, "schema": "public", "name": "parted", "replident": "d", "pk": ["id"], "identity": null})",
               R"({"oid": 3, "schema": "public", "name": "parted", "replident": "d", "pk": ["id"], "identity": null})"}, {});
    d.decode(begin(12).b, 2, r);
    d.decode(Msg('I').i32(1).i8('N').i16(1).text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").b, 3, r);
    d.decode(Msg('I').i32(4).i8('N').i16(1).text("1").b, 3, r);
    d.decode(Msg('I').i32(3).i8('N').i16(1).text("5").b, 4, r);
    d.decode(Msg('T').i32(4).i8(3).i32(2).i32(3).i32(4).i32(1).b, 5, r);
    d.decode(commit().b, 6, r);
    REQUIRE(r.lines.size() == 4);
    CHECK(r.lines[1] == R"(I 4 public.parted keys=id, values=5| before= after={"id":5} unchanged=)");
    CHECK(r.lines[2] == "truncate public.parted cascade restart");
}

TEST_CASE("types: user-defined types are asked for, with what they refer to, and refreshed by a Type message") {
    PgoutputDecoder d(default_filters());
    Recorder r;
    d.decode(Msg('R').i32(5).str("public").str("u").i8('d').i16(2).i8(1).str("id").i32(23).i32(-1).i8(0).str("c").i32(70000).i32(-1).b, 1, r);
    std::vector<std::string> asked;
    const std::vector<std::string> types = {
        R"({"oid": 70000, "name": "c", "typtype": "c", "base": 0, "element": 0, "delim": null, "attributes": [["d", 70001]], "json_cast": null})",
        R"({"oid": 70001, "name": "d", "typtype": "d", "base": 1184, "element": 0, "delim": null, "attributes": null, "json_cast": null})"};
    answer(d, {}, types, &asked);
    CHECK(asked == std::vector<std::string>{"relations", "types", "types"});  // c, then the domain it refers to
    d.decode(begin(13).b, 2, r);
    d.decode(Msg('I').i32(5).i8('N').i16(2).text("1").text("(\"2026-01-01 00:00:00+00\")").b, 3, r);
    CHECK(r.lines[1].find(R"(after={"id":1,"c":{"d":"2026-01-01T00:00:00+00:00"}})") != std::string::npos);
    asked.clear();
    d.decode(Msg('Y').i32(70000).str("public").str("c").b, 4, r);
    answer(d, {}, types, &asked);
    CHECK(asked == std::vector<std::string>{"types", "types"});
}

TEST_CASE("malformed messages are decode errors") {
    PgoutputDecoder d(default_filters());
    Recorder r;
    CHECK_THROWS_AS(d.decode("B\x01", 1, r), DecodeError);
    CHECK_THROWS_AS(d.decode("Z", 1, r), DecodeError);
    d.decode(begin(1).b, 1, r);
    CHECK_THROWS_AS(d.decode(Msg('I').i32(99).i8('N').i16(0).b, 2, r), DecodeError);  // no Relation message
    d.decode(relation_t().b, 3, r);
    CHECK_THROWS_AS(d.decode(Msg('I').i32(16400).i8('N').i16(1).text("x").b, 4, r), DecodeError);  // column count
}
