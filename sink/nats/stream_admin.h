// The JetStream stream the reader publishes to: created when missing (file storage, the
// replica count asked for, subjects <stream>.>), checked when present, and its last message
// read back (where a restarted reader resumes: nats/reader_position.h). Blocking calls.
#pragma once

#include <cstdint>
#include <string>

#include "nats/nats_connection.h"
#include "nats/reader_position.h"

namespace pgtrail {

struct StreamFacts {
    bool exists = false;
    std::uint64_t messages = 0, bytes = 0;
    std::uint64_t first_seq = 0, last_seq = 0;
    std::int64_t replicas = 0;
    bool file_storage = false;
    std::string subjects;     ///< comma list
    std::string leader;       ///< the cluster node leading it ("" without a cluster)
};

/// The stream's configuration and state (exists = false when there is none).
StreamFacts stream_facts(NatsConnection &nats, const std::string &stream);

/// Creates the stream when missing; refuses one whose subjects are not <stream>.> (NatsError).
/// Returns its facts; created says whether it was made now.
StreamFacts ensure_stream(NatsConnection &nats, const std::string &stream, int replicas, bool &created);

/// The headers of the message at last_seq (its last): where the reader stands.
StreamTail stream_tail(NatsConnection &nats, const std::string &stream, std::uint64_t last_seq);

}  // namespace pgtrail
