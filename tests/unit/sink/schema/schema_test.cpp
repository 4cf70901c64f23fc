// The changes table DDL under another name.
#include <doctest/doctest.h>

#include <stdexcept>

#include "schema/schema.h"

using namespace pgtrail;

TEST_CASE("table names") {
    CHECK(parse_table_name("changes").table == "changes");
    CHECK(parse_table_name("Audit.My_Changes").schema == "audit");
    CHECK(parse_table_name("Audit.My_Changes").table == "my_changes");
    CHECK_THROWS_AS(parse_table_name("a;drop"), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_name("a.b.c"), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_name(""), std::invalid_argument);
}

TEST_CASE("DDL renames the table and its indexes, not columns or comments") {
    std::string ddl = changes_table_ddl(parse_table_name("audit.log"));
    CHECK(ddl.find("CREATE TABLE IF NOT EXISTS audit.log (") != std::string::npos);
    CHECK(ddl.find("log_committed_at_idx ON audit.log (committed_at)") != std::string::npos);
    CHECK(ddl.find("CONSTRAINT log_commit_lsn_ordinal_key") != std::string::npos);
    CHECK(ddl.find("changes") == std::string::npos);
    CHECK(ddl.find("--") == std::string::npos);
}
