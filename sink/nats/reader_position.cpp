// Resuming from the stream.
#include "nats/reader_position.h"

#include <stdexcept>

namespace pgtrail {

namespace {

std::uint64_t number_header(const HeaderLookup &header, const char *name, std::uint64_t sequence) {
    auto value = header(name);
    if (!value || value->empty() || value->find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error("the stream's last message (sequence " + std::to_string(sequence) + ") has no " + name +
                                 " header: the stream holds messages pgtrail did not publish; give pgtrail a stream of its own (--nats-stream)");
    return std::stoull(*value);
}

}  // namespace

StreamTail read_tail(std::uint64_t sequence, const HeaderLookup &header) {
    StreamTail tail;
    tail.sequence = sequence;
    tail.commit_lsn = number_header(header, kCommitLsnHeader, sequence);
    tail.chunk = static_cast<std::uint32_t>(number_header(header, kChunkHeader, sequence));
    tail.last_ordinal = static_cast<std::uint32_t>(number_header(header, kLastOrdinalHeader, sequence));
    auto final = header(kFinalHeader);
    tail.final = final && *final == "true";
    if (tail.final) tail.end_lsn = number_header(header, kEndLsnHeader, sequence);
    return tail;
}

std::string message_id(std::uint64_t commit_lsn, std::uint32_t chunk) {
    return std::to_string(commit_lsn) + "-" + std::to_string(chunk);
}

ReaderStart reader_start(const StreamTail &tail) {
    ReaderStart start;
    if (tail.sequence == 0) return start;
    if (tail.final) {
        start.start_lsn = tail.end_lsn;
        return start;
    }
    // Transactions between the last complete one and this one had nothing to publish.
    start.start_lsn = tail.commit_lsn;
    start.partial_commit_lsn = tail.commit_lsn;
    start.skip_through = tail.last_ordinal;
    start.next_chunk = tail.chunk + 1;
    return start;
}

}  // namespace pgtrail
