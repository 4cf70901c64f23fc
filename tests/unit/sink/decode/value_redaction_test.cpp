#include <doctest/doctest.h>

#include <string>

#include "decode/value_redaction.h"
#include "history/snapshot/snapshot_redaction.h"

using namespace pgtrail;

TEST_CASE("redacted values: the fixed marker, or HMAC-SHA256 of the JSON text") {
    std::string out;
    ValueRedactor().append(out, "\"secret\"");
    CHECK(out == "\"[redacted]\"");
    out.clear();
    // echo -n '"secret"' | openssl dgst -sha256 -hmac key
    ValueRedactor("key").append(out, "\"secret\"");
    CHECK(out == "\"[redacted hmac-sha256:"
                 "4cb94b39b8c15ad9abf0c56b1cbab3fbcc924b04d3638f616ddbf1995b6428f6]\"");
}

TEST_CASE("snapshot lines: redacted columns go back into the image; a redacted key is rebuilt") {
    SnapshotRedaction plan;
    plan.columns = {"pw", "pin"};
    std::string line = "7\t{\"id\": 7, \"note\": \"a\\\\tb\"}\t\"s\\\\\\\\ecret\"\t\\N";
    redact_snapshot_line(line, plan, ValueRedactor());
    CHECK(line == "7\t{\"id\": 7, \"note\": \"a\\\\tb\", \"pw\": \"[redacted]\", \"pin\": null}");
    plan.columns = {"token"};
    plan.key_columns = {"token"};
    line = "\\N\t{}\t\"tok\"\t\"tok\"";
    redact_snapshot_line(line, plan, ValueRedactor());
    CHECK(line == "[redacted]\t{\"token\": \"[redacted]\"}");
    plan.key_columns = {"id", "token"};
    line = "\\N\t{\"id\": 1}\t\"tok\"\t1\t\"tok\"";
    redact_snapshot_line(line, plan, ValueRedactor());
    CHECK(line == "[1,\"[redacted]\"]\t{\"id\": 1, \"token\": \"[redacted]\"}");
    CHECK_THROWS(redact_snapshot_line(line = "1\t{}", plan, ValueRedactor()));
}
