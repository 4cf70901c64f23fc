// Cuts a source transaction's change lines into NATS messages: one subject (table) per message,
// each message's body under the server's max payload, the transaction's last message marked
// final with the commit's end LSN. The reader publishes the sealed messages in order. Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pgtrail {

/// One message to publish (headers: nats/headers.h).
struct OutMessage {
    std::string subject;
    std::string body;                  ///< change lines (nats/change_json.h)
    std::uint64_t commit_lsn = 0;      ///< of its source transaction
    std::uint32_t chunk = 0;           ///< its place among the transaction's messages, from 0
    std::uint32_t last_ordinal = 0;    ///< ordinal of its last change
    bool final = false;                ///< the transaction's last message
    std::uint64_t end_lsn = 0;         ///< the commit's end LSN (final messages only)
    std::string committed_at;          ///< final messages only
};

/// A change line does not fit in one message.
struct OversizedChange : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class MessageBuilder {
public:
    explicit MessageBuilder(std::size_t max_body) : max_body_(max_body) {}

    /// A transaction starts; its chunks are numbered from first_chunk (after those already in the stream).
    void begin(std::uint64_t commit_lsn, std::uint32_t first_chunk = 0);
    /// A change line on subject. Seals the open message first when the subject differs or the
    /// line would not fit; throws OversizedChange when the line alone exceeds max_body.
    void add(std::string_view subject, std::string_view line, std::uint32_t ordinal);
    /// The transaction committed: seals its last message as final. False when it had no changes.
    bool commit(std::uint64_t end_lsn, std::string_view commit_time);

    std::deque<OutMessage> &sealed() { return sealed_; }
    const std::deque<OutMessage> &sealed() const { return sealed_; }
    std::size_t sealed_bytes() const { return sealed_bytes_; }
    /// Takes the sealed messages off the front (after they were published).
    void pop_front(std::size_t count);

private:
    void seal();

    std::size_t max_body_;
    std::uint64_t commit_lsn_ = 0;
    std::uint32_t next_chunk_ = 0;
    std::optional<OutMessage> open_;
    std::deque<OutMessage> sealed_;
    std::size_t sealed_bytes_ = 0;
};

}  // namespace pgtrail
