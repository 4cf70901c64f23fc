// The --plugin auto rule.
#include <doctest/doctest.h>

#include "stream/decoding_choice.h"

using namespace pgtrail;

TEST_CASE("an explicit --plugin wins over every fact") {
    DecodingFacts facts{std::string("pgtrail"), false, false};
    CHECK(choose_decoding("pgoutput", facts).plugin == "pgoutput");
    CHECK(choose_decoding("pgtrail", DecodingFacts{std::string("pgoutput"), true, true}).plugin == "pgtrail");
    CHECK_FALSE(needs_load_probe("pgtrail", DecodingFacts{}));
}

TEST_CASE("auto follows an existing slot's plugin") {
    DecodingChoice choice = choose_decoding("auto", DecodingFacts{std::string("pgoutput"), true, true});
    CHECK(choice.plugin == "pgoutput");
    CHECK(choice.reason == "the existing slot decodes with pgoutput");
    CHECK(choose_decoding("auto", DecodingFacts{std::string("pgtrail"), false, std::nullopt}).plugin == "pgtrail");
    CHECK_FALSE(needs_load_probe("auto", DecodingFacts{std::string("pgtrail"), std::nullopt, std::nullopt}));
}

TEST_CASE("auto without a slot: pgoutput when the allow-list leaves pgtrail out, without trying to load it") {
    DecodingFacts facts{std::nullopt, false, std::nullopt};
    CHECK_FALSE(needs_load_probe("auto", facts));
    DecodingChoice choice = choose_decoding("auto", facts);
    CHECK(choice.plugin == "pgoutput");
    CHECK(choice.reason == "output_plugin_libraries does not list pgtrail");
}

TEST_CASE("auto without a slot: the load probe decides when the list allows pgtrail or cannot be read") {
    for (std::optional<bool> listed : {std::optional<bool>(true), std::optional<bool>()}) {
        DecodingFacts facts{std::nullopt, listed, std::nullopt};
        CHECK(needs_load_probe("auto", facts));
        facts.pgtrail_loads = true;
        CHECK_FALSE(needs_load_probe("auto", facts));
        CHECK(choose_decoding("auto", facts).plugin == "pgtrail");
        facts.pgtrail_loads = false;
        CHECK(choose_decoding("auto", facts).plugin == "pgoutput");
        CHECK(choose_decoding("auto", facts).reason == "the pgtrail plugin cannot be loaded on the source");
    }
}
