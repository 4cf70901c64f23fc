// Joins the pieces of a record the plugin split (docs/FORMAT.md, "Records in pieces") into one
// padded buffer, so the record is parsed where it lies and a huge one costs its size once. Pure C++.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace pgtrail {

class RecordAssembler {
public:
    /// A record ready to parse.
    struct Ready {
        std::string_view record;
        bool joined = false;  ///< joined from pieces: followed by kPayloadPadding readable bytes
    };

    RecordAssembler() = default;
    RecordAssembler(const RecordAssembler &) = delete;
    RecordAssembler &operator=(const RecordAssembler &) = delete;
    ~RecordAssembler() { release(); }

    /// Takes the next payload of the slot: a whole record is ready as it is; a piece ('+' more
    /// follow, '=' the last) is appended, and the last one makes the joined record ready (valid
    /// until the next call, which frees it). Throws DecodeError when a whole record arrives
    /// between pieces (the pieces are dropped) or the pieces exceed the largest record the plugin writes.
    std::optional<Ready> take(std::string_view payload);
    /// True while pieces wait for their last one.
    bool pending() const { return open_; }

private:
    void append(std::string_view data);
    /// Frees the joined record, giving a huge one's memory back to the system.
    void release();

    char *data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;  ///< without the padding
    bool open_ = false;         ///< pieces arrived, their last one not yet
    bool joined_ = false;       ///< data_ holds a whole record handed out by take()
};

}  // namespace pgtrail
