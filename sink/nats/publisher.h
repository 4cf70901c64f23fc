// Publishes the reader's messages into the stream, exactly once: each message carries its
// Nats-Msg-Id and the stream sequence it expects to follow (ExpectLastSeq), so a message
// published twice, or after another publisher's, is refused rather than stored. A batch is
// pipelined (asynchronous publishes, one wait for all acknowledgements); the acknowledged
// prefix counts, anything after the first failure does not. Blocking: the NATS worker's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "nats/message_builder.h"
#include "nats/nats_connection.h"

namespace pgtrail {

class Publisher {
public:
    Publisher(const std::vector<std::string> &urls, const std::string &name);

    NatsConnection &connection() { return nats_; }

    struct Result {
        std::size_t acked = 0;      ///< messages stored, from the front, in order
        std::uint64_t last_seq = 0; ///< the stream sequence of the last of them
        std::string error;          ///< why the next one was not ("" when all were)
    };
    /// Publishes messages[0, count) on top of stream sequence expect_last_seq (0: an empty stream).
    Result publish(const std::deque<OutMessage> &messages, std::size_t count, std::uint64_t expect_last_seq);

private:
    struct Ack {
        bool done = false, ok = false, duplicate = false;
        std::uint64_t seq = 0;
        std::string error;
    };
    static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *ack, jsPubAckErr *error, void *closure);
    /// Queues one message; false (with error set) when the client refused it.
    bool send(const OutMessage &message, std::uint64_t expect_last_seq, std::size_t index, std::string &error);
    Result collect(std::size_t sent, std::uint64_t expect_last_seq, std::string error);

    std::mutex mutex_;                              ///< the ack handler runs on a nats.c thread
    std::unordered_map<natsMsg *, std::size_t> index_;
    std::vector<Ack> acks_;
    NatsConnection nats_;                           ///< last: closed before the state its handler uses
};

}  // namespace pgtrail
