// The destination's rules: encodings, synchronous standby names, session settings.
#include <doctest/doctest.h>

#include "stream/destination_rules.h"

using namespace pgtrail;

TEST_CASE("a UTF8 destination holds any source's text; another encoding only its own") {
    CHECK(encoding_refusal("UTF8", "UTF8").empty());
    CHECK(encoding_refusal("LATIN1", "UTF8").empty());
    CHECK(encoding_refusal("LATIN1", "LATIN1").empty());
    CHECK(encoding_refusal("SQL_ASCII", "SQL_ASCII").empty());
    std::string latin1 = encoding_refusal("UTF8", "LATIN1");
    CHECK(latin1.find("encoding is LATIN1") != std::string::npos);
    CHECK(latin1.find("ENCODING 'UTF8'") != std::string::npos);
    CHECK_FALSE(encoding_refusal("UTF8", "SQL_ASCII").empty());
    CHECK_FALSE(encoding_refusal("LATIN1", "WIN1252").empty());
}

TEST_CASE("synchronous_standby_names is matched as PostgreSQL matches it") {
    CHECK(synchronous_standby_matches("*", "pgtrail"));
    CHECK(synchronous_standby_matches("pgtrail", "pgtrail"));
    CHECK(synchronous_standby_matches("PgTrail", "pgtrail"));  // PostgreSQL compares without case
    CHECK(synchronous_standby_matches("s1, pgtrail", "pgtrail"));
    CHECK(synchronous_standby_matches("FIRST 1 (s1, pgtrail)", "pgtrail"));
    CHECK(synchronous_standby_matches("ANY 2 (s1,pgtrail,s3)", "pgtrail"));
    CHECK(synchronous_standby_matches("2 (s1, *)", "pgtrail"));
    CHECK(synchronous_standby_matches("\"pgtrail writer\", s1", "pgtrail writer"));
    CHECK(synchronous_standby_matches("\"a\"\"b\"", "a\"b"));
    CHECK_FALSE(synchronous_standby_matches("", "pgtrail"));
    CHECK_FALSE(synchronous_standby_matches("s1, s2", "pgtrail"));
    CHECK_FALSE(synchronous_standby_matches("FIRST 1 (s1)", "pgtrail"));
    CHECK_FALSE(synchronous_standby_matches("\"*\"x", "pgtrail"));
    CHECK_FALSE(synchronous_standby_matches("pgtrail2", "pgtrail"));
}

TEST_CASE("a writing session in the source's cluster never waits for a synchronous standby") {
    std::string in_source = destination_session_sql(true);
    std::string elsewhere = destination_session_sql(false);
    CHECK(in_source.find("SET synchronous_commit = local") != std::string::npos);
    CHECK(elsewhere.find("SET synchronous_commit = local") == std::string::npos);
    CHECK(elsewhere.find("= 'off'") != std::string::npos);  // durable commits elsewhere
    for (const auto &sql : {in_source, elsewhere}) {
        CHECK(sql.find("tcp_keepalives_idle = 30") != std::string::npos);
        CHECK(sql.find("statement_timeout = 0") != std::string::npos);
        CHECK(sql.find("idle_in_transaction_session_timeout = 0") != std::string::npos);
    }
}
