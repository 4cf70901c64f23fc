// Where a restarted reader resumes, from the stream's last message: nothing the stream holds is
// published again and nothing after it is skipped, whatever the stream's duplicate window.
//  - the last message ends a transaction (final): stream from its commit's end LSN;
//  - it does not (the reader stopped half way through a transaction): stream from that
//    transaction's commit LSN, and publish its changes after the message's last ordinal, as
//    chunks after the message's chunk.
// The headers every message carries are named here (docs/FORMAT.md). Pure C++.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pgtrail {

inline constexpr const char *kMsgIdHeader = "Nats-Msg-Id";           ///< <commit LSN>-<chunk>
inline constexpr const char *kCommitLsnHeader = "Pgtrail-Commit-Lsn";  ///< decimal
inline constexpr const char *kChunkHeader = "Pgtrail-Chunk";
inline constexpr const char *kLastOrdinalHeader = "Pgtrail-Last-Ordinal";
inline constexpr const char *kFinalHeader = "Pgtrail-Final";          ///< "true" on a transaction's last message
inline constexpr const char *kEndLsnHeader = "Pgtrail-End-Lsn";       ///< decimal, final messages only
inline constexpr const char *kCommittedAtHeader = "Pgtrail-Committed-At";  ///< final messages only

/// The headers of the stream's last message, as read.
struct StreamTail {
    std::uint64_t sequence = 0;    ///< 0: the stream is empty
    std::uint64_t commit_lsn = 0;
    std::uint64_t end_lsn = 0;
    std::uint32_t chunk = 0;
    std::uint32_t last_ordinal = 0;
    bool final = false;
};

/// A header's value, or nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string>(const char *name)>;

/// Reads the tail from a message's headers; throws std::runtime_error when they are not pgtrail's.
StreamTail read_tail(std::uint64_t sequence, const HeaderLookup &header);

/// The message ID of a chunk.
std::string message_id(std::uint64_t commit_lsn, std::uint32_t chunk);

struct ReaderStart {
    std::uint64_t start_lsn = 0;          ///< START_REPLICATION here (0: the slot's own position)
    /// A transaction partly in the stream: its commit LSN (0: none), the ordinals already
    /// published (through skip_through) and the chunk its next message gets.
    std::uint64_t partial_commit_lsn = 0;
    std::uint32_t skip_through = 0;
    std::uint32_t next_chunk = 0;
};

ReaderStart reader_start(const StreamTail &tail);

}  // namespace pgtrail
