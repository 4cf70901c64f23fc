// The NATS JetStream options of `pgtrail run --nats` (the reader) and `pgtrail write` (a writer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pgtrail {

struct NatsOptions {
    std::string urls;                  ///< --nats: comma list of server URLs (empty: not used)
    std::string stream = "pgtrail";    ///< --nats-stream: also the first token of its subjects
    int replicas = 1;                  ///< --nats-replicas: of a stream the reader creates
    /// --nats-max-bytes, --nats-max-age (seconds); 0: no limit. A full stream refuses new messages
    /// (discard new: the reader waits and the slot keeps the changes), never drops old ones.
    std::int64_t max_bytes = 0;
    std::int64_t max_age_s = 0;
    /// Given on the command line: only then does the reader set them on an existing stream
    /// (limits an operator set by hand stay otherwise).
    bool max_bytes_given = false, max_age_given = false;
    std::string consumer = "pgtrail";  ///< --consumer: the writer's durable consumer, and its progress row's key
    std::string subject;               ///< --subject: the writer's filter (default: the whole stream)
    std::size_t fetch_batch = 1024;    ///< messages asked for per pull
    /// The writer's subject filter.
    std::string filter() const { return subject.empty() ? stream + ".>" : subject; }
};

}  // namespace pgtrail
