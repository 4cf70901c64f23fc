// Catching C++ exceptions at the plugin's boundary: pure C++, no PostgreSQL headers, so the
// unit tests cover which error each exception becomes. entry.cpp raises the error in PostgreSQL.
#pragma once

#include <cstddef>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>

namespace pgtrail {

/// What a caught exception means for the error PostgreSQL reports (and its SQLSTATE).
enum class CppErrorKind {
    None,         ///< the body returned normally
    BadOption,    ///< std::invalid_argument: a bad option or value (22023, fatal for the sink)
    OutOfMemory,  ///< std::bad_alloc (53200, worth a retry)
    Internal,     ///< any other exception (XX000)
};

/// The outcome of run_catching: the kind and a copy of the message (truncated to fit), made
/// without allocating, so it survives the exception object and an out-of-memory condition.
struct CppError {
    CppErrorKind kind = CppErrorKind::None;
    char message[1024] = "";
};

namespace detail {
inline void copy_message(CppError &error, const char *text) noexcept {
    std::size_t n = std::strlen(text);
    if (n >= sizeof(error.message)) n = sizeof(error.message) - 1;
    std::memcpy(error.message, text, n);
    error.message[n] = '\0';
}
}  // namespace detail

/// Runs body; any exception it throws is caught and described. Never throws.
template <typename Body>
CppError run_catching(Body &&body) noexcept {
    CppError error;
    try {
        body();
    } catch (const std::bad_alloc &) {
        error.kind = CppErrorKind::OutOfMemory;
        detail::copy_message(error, "out of memory");
    } catch (const std::invalid_argument &e) {
        error.kind = CppErrorKind::BadOption;
        detail::copy_message(error, e.what());
    } catch (const std::exception &e) {
        error.kind = CppErrorKind::Internal;
        detail::copy_message(error, e.what());
    } catch (...) {
        error.kind = CppErrorKind::Internal;
        detail::copy_message(error, "unexpected C++ exception");
    }
    return error;
}

}  // namespace pgtrail
