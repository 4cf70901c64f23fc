#include <doctest/doctest.h>

#include <new>
#include <stdexcept>
#include <string>

#include "cpp_guard.h"
#include "options.h"

using namespace pgtrail;

TEST_CASE("guard: a body that returns is no error") {
    int ran = 0;
    CppError error = run_catching([&] { ran++; });
    CHECK(ran == 1);
    CHECK(error.kind == CppErrorKind::None);
}

TEST_CASE("guard: out of memory is its own kind, not a bad option") {
    // Before: bad_alloc left the guard as "pgtrail: out of memory" with SQLSTATE 22023, which the
    // sink takes for a bad option and gives up on.
    CppError error = run_catching([] { throw std::bad_alloc(); });
    CHECK(error.kind == CppErrorKind::OutOfMemory);
    CHECK(std::string(error.message) == "out of memory");
}

TEST_CASE("guard: a bad option keeps its message") {
    PluginOptions options;
    CppError error = run_catching([&] { apply_option(options, "skip-empty-xacts", "maybe"); });
    CHECK(error.kind == CppErrorKind::BadOption);
    CHECK(std::string(error.message).find("could not parse value \"maybe\" for option \"skip-empty-xacts\"") == 0);
}

TEST_CASE("guard: other exceptions are internal errors; long messages are cut, never overflow") {
    CHECK(run_catching([] { throw std::runtime_error("boom"); }).kind == CppErrorKind::Internal);
    CHECK(run_catching([] { throw 42; }).kind == CppErrorKind::Internal);
    CppError error = run_catching([] { throw std::invalid_argument(std::string(5000, 'x')); });
    CHECK(error.kind == CppErrorKind::BadOption);
    CHECK(std::string(error.message) == std::string(sizeof(error.message) - 1, 'x'));
}
