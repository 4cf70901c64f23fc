// A change through the stream: ChangeJson's line, turned back by ChangeRows, is the COPY row
// ChangeEncoder writes for `run` (every column), so a writer stores what run would.
#include <doctest/doctest.h>

#include "nats/change_json.h"
#include "nats/change_row.h"
#include "stream/change_encoder.h"

using namespace pgtrail;

namespace {

BeginEvent begin_event() {
    BeginEvent b;
    b.xid = 744;
    b.commit_lsn = 1100;
    b.commit_time = "2026-11-21T09:26:00.123456+00:00";
    return b;
}

RowChangeEvent update_event() {
    RowChangeEvent r;
    r.op = 'U';
    r.lsn = 1000;
    r.schema = "we\"ird";
    r.table = "t\tab";
    r.key_columns = {"id"};
    r.before = R"({"id": 7, "v": "a\nb", "z": "\u0000"})";
    r.after = R"({"id": 7, "v": "c"})";
    r.before_key = {KeyValue{"7", "7", false, false}};
    r.after_key = {KeyValue{"7", "7", false, false}};
    r.unchanged = {"big"};
    r.lossy = {"v"};
    return r;
}

}  // namespace

TEST_CASE("a change line turns back into run's COPY row") {
    RowChangeEvent change = update_event();
    ChangeEncoder encoder("db");
    encoder.begin(begin_event());
    encoder.set_context(R"({"user":
 "ann"})");
    encoder.add(change, "2026-11-21 09:26:01.000000+00");
    ChangeJson json("db");
    json.begin(begin_event());
    json.set_context(R"({"user":
 "ann"})");
    std::string line;
    CHECK(json.add(line, change, "2026-11-21 09:26:01.000000+00") == 0);
    CHECK(line.find('\n') == line.size() - 1);  // one change, one line, although the context held a line break
    std::string rows;
    ChangeRows back;
    CHECK(back.append(rows, line) == 1);
    // The context's line break became a space (white space either way for jsonb).
    std::string expected(encoder.ready());
    auto at = expected.find("\\n \\\"ann");
    if (at == std::string::npos) at = expected.find("\\n \"ann");
    REQUIRE(at != std::string::npos);
    expected.replace(at, 2, " ");
    CHECK(rows == expected);
}

TEST_CASE("a truncate line turns back into run's COPY row") {
    TruncateEvent truncate;
    truncate.lsn = 1050;
    truncate.schema = "public";
    truncate.table = "t";
    ChangeEncoder encoder("db");
    encoder.begin(begin_event());
    encoder.add(truncate, "2026-11-21 09:26:01.000000+00");
    ChangeJson json("db");
    json.begin(begin_event());
    std::string line;
    json.add(line, truncate, "2026-11-21 09:26:01.000000+00");
    std::string rows;
    ChangeRows back;
    back.append(rows, line);
    CHECK(rows == encoder.ready());
}

TEST_CASE("a key change's line carries moved_from, and turns back into run's COPY row") {
    RowChangeEvent change = update_event();
    change.before_key = {KeyValue{"6", "6", false, false}};
    ChangeEncoder encoder("db");
    encoder.begin(begin_event());
    encoder.add(change, "q");
    ChangeJson json("db");
    json.begin(begin_event());
    std::string line;
    json.add(line, change, "q");
    CHECK(line.find(R"("moved_from":"6")") != std::string::npos);
    std::string rows;
    ChangeRows back;
    back.append(rows, line);
    CHECK(rows == encoder.ready());
    CHECK(rows.substr(rows.size() - 3) == "\t6\n");
}

TEST_CASE("a line of an older publisher, without moved_from, is written with moved_from NULL") {
    RowChangeEvent change = update_event();
    change.before_key = {KeyValue{"6", "6", false, false}};
    ChangeJson json("db");
    json.begin(begin_event());
    std::string line;
    json.add(line, change, "q");
    auto at = line.find(R"(,"moved_from":"6")");
    REQUIRE(at != std::string::npos);
    line.erase(at, std::string_view(R"(,"moved_from":"6")").size());
    std::string rows;
    ChangeRows back;
    CHECK(back.append(rows, line) == 1);
    CHECK(rows.substr(rows.size() - 4) == "\t\\N\n");
}

TEST_CASE("a body that is not change lines is refused") {
    std::string rows;
    ChangeRows back;
    CHECK_THROWS_AS(back.append(rows, "{\"commit_lsn\": 1}\n"), ChangeLineError);
    CHECK_THROWS_AS(back.append(rows, "not json\n"), ChangeLineError);
}
