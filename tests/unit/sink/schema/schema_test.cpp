// Table names, the changes table's DDL and the migrations.
#include <doctest/doctest.h>

#include <stdexcept>

#include "schema/migrations.h"
#include "schema/schema.h"

using namespace pgtrail;

namespace {

// Stand-ins for libpq's quoting, marked so the tests can see every name went through them.
SqlQuoting test_quoting() {
    return {[](std::string_view name) { return "<" + std::string(name) + ">"; },
            [](std::string_view value) { return "[" + std::string(value) + "]"; }};
}

}  // namespace

TEST_CASE("table names") {
    CHECK(parse_table_name("changes").table == "changes");
    CHECK(parse_table_name("Audit.My_Changes").schema == "audit");
    CHECK(parse_table_name("Audit.My_Changes").table == "my_changes");
    CHECK_THROWS_AS(parse_table_name("a;drop"), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_name("a.b.c"), std::invalid_argument);
    CHECK_THROWS_AS(parse_table_name(""), std::invalid_argument);
    CHECK(quoted(parse_table_name("audit.log"), test_quoting()) == "<audit>.<log>");
    CHECK(quoted(parse_table_name("log"), test_quoting()) == "<log>");
}

TEST_CASE("the version 1 DDL quotes the table and its index names, never rewrites words") {
    std::string ddl = changes_table_v1_ddl(parse_table_name("audit.changes"), test_quoting());
    CHECK(ddl.find("CREATE TABLE IF NOT EXISTS <audit>.<changes> (") != std::string::npos);
    CHECK(ddl.find("<changes_committed_at_idx> ON <audit>.<changes> (committed_at)") != std::string::npos);
    CHECK(ddl.find("CONSTRAINT <changes_commit_lsn_ordinal_key>") != std::string::npos);
    CHECK(ddl.find("--") == std::string::npos);
    CHECK(ddl.find("lossy") == std::string::npos);  // version 2 adds it
}

TEST_CASE("migrations run in order from the table's version and record each version") {
    TableName table = parse_table_name("log");
    auto all = migrations_after(0, table, test_quoting());
    REQUIRE(all.size() == static_cast<std::size_t>(kSchemaVersion));
    for (int i = 0; i < kSchemaVersion; i++) {
        CHECK(all[i].version == i + 1);
        CHECK(all[i].body.find("pg_advisory_xact_lock") != std::string::npos);
        CHECK(all[i].body.find("INSERT INTO pgtrail.schema_version") != std::string::npos);
        CHECK(all[i].body.find(", " + std::to_string(i + 1) + ")\n  ON CONFLICT") != std::string::npos);
    }
    auto from_v1 = migrations_after(1, table, test_quoting());
    REQUIRE(from_v1.size() == static_cast<std::size_t>(kSchemaVersion - 1));
    CHECK(from_v1[0].body.find("ALTER TABLE <log> ADD COLUMN IF NOT EXISTS lossy text[]") != std::string::npos);
    CHECK(migrations_after(kSchemaVersion, table, test_quoting()).empty());
}

TEST_CASE("a table's version: 0 when missing, 1 when unrecorded, never above this pgtrail's") {
    TableName table = parse_table_name("changes");
    CHECK(schema_version_of(table, false, std::nullopt) == 0);
    CHECK(schema_version_of(table, true, std::nullopt) == 1);
    CHECK(schema_version_of(table, true, kSchemaVersion) == kSchemaVersion);
    CHECK_THROWS_AS(schema_version_of(table, true, kSchemaVersion + 1), SchemaTooNew);
}
