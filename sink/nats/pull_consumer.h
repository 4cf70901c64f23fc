// A writer's durable pull consumer on the stream. The destination, not the consumer, holds the
// writer's place (nats/stream_progress.h): on start the consumer is created again to deliver
// from the message after the last one committed there, so whatever acknowledgements were lost,
// nothing is skipped or delivered twice. Acknowledgements (AckAll) follow each destination
// commit, for the lag the server reports. Blocking: the NATS worker's thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nats/nats_connection.h"

namespace pgtrail {

/// One delivered message.
struct InMessage {
    std::uint64_t sequence = 0;    ///< in the stream
    std::uint64_t commit_lsn = 0;  ///< of its source transaction (0: no header)
    bool final = false;            ///< the transaction's last message
    std::int64_t pending = 0;      ///< messages of the consumer's subjects after it, not delivered yet
    std::string body;
};

class PullConsumer {
public:
    PullConsumer(const std::vector<std::string> &urls, const std::string &name);
    ~PullConsumer();
    PullConsumer(const PullConsumer &) = delete;
    PullConsumer &operator=(const PullConsumer &) = delete;

    /// (Re)creates the durable consumer delivering filter's messages after stream sequence
    /// `after`, and subscribes to it.
    void start(const std::string &stream, const std::string &durable, const std::string &filter, std::uint64_t after);
    /// Up to batch messages, waiting at most timeout_ms for the first; empty when none came.
    std::vector<InMessage> fetch(int batch, int timeout_ms);
    /// Acknowledges every message fetched so far (they are committed in the destination).
    void ack_fetched();

private:
    NatsConnection nats_;
    natsSubscription *sub_ = nullptr;
    natsMsg *last_ = nullptr;  ///< the last fetched message, acknowledged (AckAll) after the commit
    std::uint64_t delivered_ = 0;  ///< the consumer's last delivery number seen (its sequence)
};

}  // namespace pgtrail
