// Taking a refused COPY row apart and putting it back with values in faithful form.
#include <doctest/doctest.h>

#include "stream/change_encoder.h"
#include "stream/poison_row.h"

using namespace pgtrail;

namespace {

std::string encoded_row(std::string_view after, std::vector<std::string_view> lossy = {}) {
    ChangeEncoder enc("db");
    BeginEvent b;
    b.xid = 7;
    b.commit_lsn = 2000;
    b.commit_time = "2026-11-30T06:00:00+00:00";
    enc.begin(b);
    RowChangeEvent r;
    r.op = 'I';
    r.lsn = 1000;
    r.schema = "public";
    r.table = "j\tx";
    r.after = after;
    r.lossy = lossy;
    enc.add(r, "2026-11-30 06:00:01.000000+00");
    return std::string(enc.ready());
}

}  // namespace

TEST_CASE("data errors are SQLSTATE classes 22 and 54") {
    CHECK(is_data_error("22003"));  // value overflows numeric format
    CHECK(is_data_error("22P02"));
    CHECK(is_data_error("54000"));  // jsonb string or object too long
    CHECK_FALSE(is_data_error("08006"));
    CHECK_FALSE(is_data_error("23505"));
    CHECK_FALSE(is_data_error(""));
}

TEST_CASE("a destination error is logged without its message where that may quote a value") {
    CHECK(loggable_error("22021", "invalid byte sequence for encoding \"UTF8\": 0xed 0xa0") ==
          "the destination refused the data (SQLSTATE 22021, data exception)");
    CHECK(loggable_error("23505", "duplicate key value") == "the destination refused the data (SQLSTATE 23505, integrity constraint violation)");
    CHECK(loggable_error("54000", "total size of jsonb object elements exceeds the maximum") ==
          "the destination refused the data (SQLSTATE 54000, program limit exceeded)");
    CHECK(loggable_error("08006", "server closed the connection unexpectedly") == "server closed the connection unexpectedly");
    CHECK(loggable_error("", "no connection to the server") == "no connection to the server");
}

TEST_CASE("an encoded row splits into its 17 fields and joins back byte for byte") {
    std::string line = encoded_row(R"({"id":1,"doc":{"a":1e140000},"s":"tab\there"})");
    auto row = split_copy_row(line);
    REQUIRE(row);
    CHECK(row->fields.size() == CopyRow::kFields);
    CHECK(copy_unescape(row->fields[CopyRow::kTable]) == "j\tx");
    CHECK(row->fields[CopyRow::kPosition] == "1000");
    CHECK(row->fields[CopyRow::kLossy] == "\\N");
    CHECK(row->fields[CopyRow::kMovedFrom] == "\\N");
    CHECK(copy_unescape(row->fields[CopyRow::kAfter]) == R"({"id":1,"doc":{"a":1e140000},"s":"tab\there"})");
    CHECK(join_copy_row(*row) == line);
    CHECK_FALSE(split_copy_row("a\tb\n"));
}

TEST_CASE("copy_rows splits at row ends") {
    std::string rows = encoded_row(R"({"id":1})") + encoded_row(R"({"id":2})");
    auto lines = copy_rows(rows);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].back() == '\n');
    CHECK(std::string(lines[0]) + std::string(lines[1]) == rows);
}

TEST_CASE("an image splits into columns with their raw JSON and joins back") {
    auto columns = split_image(R"({"id":1,"doc":{"a":1e140000, "b":[1,2]},"q\"k":"x\ny","n":null,"arr":[{"z":1}]})");
    REQUIRE(columns);
    REQUIRE(columns->size() == 5);
    CHECK((*columns)[1].name == "doc");
    CHECK((*columns)[1].value == R"({"a":1e140000, "b":[1,2]})");
    CHECK((*columns)[2].name == "q\"k");
    CHECK((*columns)[2].value == R"("x\ny")");
    CHECK((*columns)[3].value == "null");
    CHECK((*columns)[4].value == R"([{"z":1}])");
    CHECK(join_image(*columns) == R"({"id":1,"doc":{"a":1e140000, "b":[1,2]},"q\"k":"x\ny","n":null,"arr":[{"z":1}]})");
    CHECK_FALSE(split_image("[1]"));
    CHECK_FALSE(split_image("{\"a\":"));
}

TEST_CASE("the faithful form is the value's JSON text as a string; placeholders as the plugin writes them") {
    CHECK(json_text_as_string(R"({"a":1e140000})") == R"("{\"a\":1e140000}")");
    std::string p = omitted_placeholder(300, "jsonb refused it (SQLSTATE 54000)");
    CHECK(p == R"("<pgtrail: value of 300 bytes omitted: jsonb refused it (SQLSTATE 54000)>")");
    CHECK(is_placeholder(p));
    CHECK(is_placeholder(R"("<pgtrail: value of 268435456 bytes omitted: over jsonb's limit of 268435455 bytes>")"));
    CHECK_FALSE(is_placeholder(R"("<pgtrail: value of")"));
    CHECK_FALSE(is_placeholder("1"));
}

TEST_CASE("the lossy field round-trips, the plugin's names kept") {
    std::string line = encoded_row(R"({"id":1})", {"big", "we\"ird"});
    auto row = split_copy_row(line);
    REQUIRE(row);
    auto names = parse_lossy_field(row->fields[CopyRow::kLossy]);
    REQUIRE(names.size() == 2);
    CHECK(names[0] == "big");
    CHECK(names[1] == "we\"ird");
    names.push_back("doc,x");
    CHECK(parse_lossy_field(lossy_field(names)) == names);
    CHECK(lossy_field({}) == "\\N");
    CHECK(parse_lossy_field("\\N").empty());
}

TEST_CASE("a change with numbers jsonb cannot hold: those columns as their text, added to lossy") {
    RowChangeEvent event;
    event.op = 'U';
    event.lsn = 42;
    event.schema = "public";
    event.table = "j";
    event.before = R"({"id":1,"doc":{"a":1e140000},"note":"x"})";
    event.after = R"({"id":1,"doc":{"a":1e140000},"note":"y","big":"<pgtrail: value of 1 bytes omitted: r>"})";
    event.lossy = {"big"};
    TextedChange texted;
    REQUIRE(text_unholdable_numbers(event, texted));
    CHECK(texted.event.before == R"({"id":1,"doc":"{\"a\":1e140000}","note":"x"})");
    CHECK(texted.event.after == R"({"id":1,"doc":"{\"a\":1e140000}","note":"y","big":"<pgtrail: value of 1 bytes omitted: r>"})");
    REQUIRE(texted.event.lossy.size() == 2);
    CHECK(texted.event.lossy[0] == "big");
    CHECK(texted.event.lossy[1] == "doc");
    CHECK(texted.texted == std::vector<std::string>{"doc"});
    CHECK(texted.event.op == 'U');
    CHECK(texted.event.lsn == 42);

    RowChangeEvent plain = event;
    plain.before = R"({"id":1,"doc":{"a":1e300}})";
    plain.after = R"({"id":1,"doc":{"a":"1e140000"}})";
    CHECK_FALSE(text_unholdable_numbers(plain, texted));
}
