#include "decode/page_release.h"

#include <algorithm>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace pgtrail {

namespace {

std::uintptr_t page_size() {
#if defined(__linux__)
    static const auto size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    return size;
#else
    return 4096;
#endif
}

}  // namespace

void release_pages(const char *begin, const char *end) noexcept {
    std::uintptr_t page = page_size();
    auto first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    auto last = reinterpret_cast<std::uintptr_t>(end) / page * page;
#if defined(__linux__)
    // Private anonymous pages (malloc's): MADV_DONTNEED frees them and zero-fills them on next touch.
    if (first < last) madvise(reinterpret_cast<void *>(first), last - first, MADV_DONTNEED);
#else
    (void) first;
    (void) last;
#endif
}

void PageReleaser::read_up_to(const char *end) noexcept {
    if (next_ == nullptr || end <= next_) return;
    release_pages(next_, end);
    std::uintptr_t page = page_size();
    auto end_page = reinterpret_cast<std::uintptr_t>(end) / page * page;
    next_ = std::max(next_, reinterpret_cast<const char *>(end_page));
}

}  // namespace pgtrail
