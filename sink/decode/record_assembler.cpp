// Pieces -> one record, in a malloc'd buffer grown by realloc: a huge block is then moved by the
// kernel (mremap) instead of copied, and only the bytes written are resident.
#include "decode/record_assembler.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "decode/events.h"
#include "decode/page_release.h"

namespace pgtrail {

namespace {

constexpr char kMorePiece = '+';
constexpr char kLastPiece = '=';
constexpr std::size_t kMaxRecord = std::size_t{1} << 30;   // the plugin never writes more (MaxAllocSize)

}  // namespace

std::optional<RecordAssembler::Ready> RecordAssembler::take(std::string_view payload) {
    if (joined_) release();  // the previous joined record's views are no longer used
    char marker = payload.empty() ? '\0' : payload[0];
    if (marker != kMorePiece && marker != kLastPiece) {
        if (pending()) {
            release();  // the broken record is dropped: the assembler takes the next one afresh
            throw DecodeError("a record arrived before the last piece of the record in pieces before it");
        }
        return Ready{payload, false};
    }
    open_ = true;
    append(payload.substr(1));
    if (marker == kMorePiece) return std::nullopt;
    open_ = false;
    joined_ = true;
    return Ready{std::string_view(data_, size_), true};
}

void RecordAssembler::append(std::string_view data) {
    if (data.size() > kMaxRecord - size_)
        throw DecodeError("a record in pieces is larger than 1 GB, more than the plugin ever writes");
    std::size_t needed = size_ + data.size();
    if (needed > capacity_ || data_ == nullptr) {
        std::size_t capacity = std::max(needed, capacity_ * 2);
        char *grown = static_cast<char *>(std::realloc(data_, capacity + kPayloadPadding));
        if (grown == nullptr) throw std::bad_alloc();
        data_ = grown;
        capacity_ = capacity;
    }
    if (!data.empty()) std::memcpy(data_ + size_, data.data(), data.size());
    size_ = needed;
    std::memset(data_ + size_, 0, kPayloadPadding);
}

void RecordAssembler::release() {
    bool huge = capacity_ > kHugeMessageBytes;  // give back what a huge record took
    std::free(data_);
    data_ = nullptr;
    size_ = capacity_ = 0;
    open_ = joined_ = false;
#if defined(__GLIBC__)
    // A block under glibc's mmap threshold goes back to the heap, which keeps it resident.
    if (huge) malloc_trim(0);
#else
    (void) huge;
#endif
}

}  // namespace pgtrail
