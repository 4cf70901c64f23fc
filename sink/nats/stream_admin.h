// The JetStream stream the reader publishes to: created when missing (file storage, the
// replica count asked for, subjects <stream>.>, the size and age limits asked for with discard
// new), checked when present (the limits given on the command line set, the others kept; discard
// new), and its last message read back (where a restarted reader resumes: nats/reader_position.h).
// Blocking calls.
#pragma once

#include <cstdint>
#include <string>

#include "nats/nats_config.h"
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
    std::int64_t max_bytes = -1;   ///< -1: no limit
    std::int64_t max_age_ns = 0;   ///< 0: no limit
    bool discard_new = false;      ///< a full stream refuses new messages (else it drops its oldest)
    std::string leader;       ///< the cluster node leading it ("" without a cluster)
};

/// The stream's configuration and state (exists = false when there is none).
StreamFacts stream_facts(NatsConnection &nats, const std::string &stream);

struct EnsuredStream {
    StreamFacts facts;
    bool created = false;
    std::string limits_changed;  ///< "max bytes 1.0 MiB -> 64.0 MiB, ...": what this call changed on an existing stream
};

/// Creates the stream when missing; refuses one whose subjects are not <stream>.> (NatsError).
/// An existing file stream gets the limits given in options (and discard new); a memory one is left as it is.
EnsuredStream ensure_stream(NatsConnection &nats, const NatsOptions &options);

/// "max bytes 1.0 MiB, 40% full, max age 7d, discard new" (or "no size or age limit").
std::string stream_limits_text(const StreamFacts &facts);

/// The headers of the message at last_seq (its last): where the reader stands.
StreamTail stream_tail(NatsConnection &nats, const std::string &stream, std::uint64_t last_seq);

}  // namespace pgtrail
