// Giving memory back while a huge message is still being read (issue 15): pgoutput sends a row
// as one message, so without this its text, its JSON and libpq's buffer would all be resident.
// Linux only in effect (elsewhere a no-op). Pure C++.
#pragma once

#include <cstddef>

namespace pgtrail {

/// Returns the whole pages inside [begin, end) to the system; the bytes there read as zeros
/// afterwards. Only for heap memory this process owns and will not read again.
void release_pages(const char *begin, const char *end) noexcept;

/// Gives a buffer's pages back as it is read front to back, piece by piece: a page that
/// straddles two pieces goes back with the second.
class PageReleaser {
public:
    explicit PageReleaser(const char *start = nullptr) : next_(start) {}
    /// Nothing before end is read again.
    void read_up_to(const char *end) noexcept;

private:
    const char *next_;  ///< the first byte not given back
};

/// Bytes of a value below which release_pages is not worth a system call.
inline constexpr std::size_t kReleaseAbove = 4 * 1024 * 1024;

/// A message (or record, row image) larger than this is huge: the buffers it grew past this are
/// given back after it (libpq's input buffer by a new connection), ordinary ones are reused.
inline constexpr std::size_t kHugeMessageBytes = 16 * 1024 * 1024;

}  // namespace pgtrail
