#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "options.h"

using namespace pgtrail;

namespace {

std::string error_of(const char *name, const char *value) {
    PluginOptions options;
    try {
        apply_option(options, name, value);
    } catch (const std::invalid_argument &e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("defaults: every table, every message, own origins excluded") {
    PluginOptions options;
    CHECK(options.skip_empty_xacts);
    CHECK(options.partition_root);
    CHECK(table_is_tracked(options, "public", "orders"));
    CHECK(message_is_tracked(options, "_bemi"));
    REQUIRE(options.exclude_origins.size() == 1);
    CHECK(options.exclude_origins[0] == "pgtrail*");
}

TEST_CASE("include and exclude tables combine") {
    PluginOptions options;
    apply_option(options, "include-tables", "public.*");
    apply_option(options, "exclude-tables", "public.changes");
    CHECK(table_is_tracked(options, "public", "orders"));
    CHECK_FALSE(table_is_tracked(options, "public", "changes"));
    CHECK_FALSE(table_is_tracked(options, "audit", "orders"));
}

TEST_CASE("messages filter by prefix; an empty list means none") {
    PluginOptions options;
    apply_option(options, "messages", "_bemi*");
    CHECK(message_is_tracked(options, "_bemi"));
    CHECK(message_is_tracked(options, "_bemi_heartbeat"));
    CHECK_FALSE(message_is_tracked(options, "other"));
    apply_option(options, "messages", "");
    CHECK_FALSE(message_is_tracked(options, "_bemi"));
}

TEST_CASE("booleans accept the usual spellings, and no value means on") {
    PluginOptions options;
    apply_option(options, "skip-empty-xacts", "off");
    CHECK_FALSE(options.skip_empty_xacts);
    apply_option(options, "skip-empty-xacts", nullptr);
    CHECK(options.skip_empty_xacts);
    apply_option(options, "partition-root", "FALSE");
    CHECK_FALSE(options.partition_root);
}

TEST_CASE("errors name the option and what it accepts") {
    CHECK(error_of("skip-empty-xacts", "maybe") ==
          "could not parse value \"maybe\" for option \"skip-empty-xacts\": expected a boolean (true/false, on/off, yes/no, 1/0)");
    CHECK(error_of("no-such-option", "1").find("unknown option \"no-such-option\"; pgtrail accepts: publications,") == 0);
    CHECK(error_of("publications", nullptr).find("option \"publications\" needs a value") == 0);
    CHECK(error_of("include-tables", "a.b.c").find("for option \"include-tables\"") != std::string::npos);
    CHECK(error_of("exclude-origins", "") == "");
}

TEST_CASE("max-message-bytes: 0 (never split, the default) or 8 bytes to 1 GB") {
    PluginOptions options;
    CHECK(options.max_message_bytes == 0);
    apply_option(options, "max-message-bytes", "1048576");
    CHECK(options.max_message_bytes == 1048576);
    apply_option(options, "max-message-bytes", "8");
    CHECK(options.max_message_bytes == 8);
    apply_option(options, "max-message-bytes", "0");
    CHECK(options.max_message_bytes == 0);
    for (const char *bad : {"7", "-1", "1MB", "", " 8", "1073741824", "99999999999"}) {
        CAPTURE(bad);
        CHECK(error_of("max-message-bytes", bad).find("for option \"max-message-bytes\": expected 0") != std::string::npos);
    }
    CHECK(error_of("max-message-bytes", nullptr).find("needs a value") != std::string::npos);
}
