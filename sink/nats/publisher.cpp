// Pipelined, chained publishes.
#include "nats/publisher.h"

#include "nats/reader_position.h"

namespace pgtrail {

namespace {

constexpr std::int64_t kAckWaitMs = 15000;  // a leader election in a 3-node cluster takes a few seconds

}  // namespace

Publisher::Publisher(const std::vector<std::string> &urls, const std::string &name) : nats_(urls, name, &Publisher::on_ack, this) {}

void Publisher::on_ack(jsCtx *, natsMsg *msg, jsPubAck *ack, jsPubAckErr *error, void *closure) {
    auto *self = static_cast<Publisher *>(closure);
    {
        std::lock_guard<std::mutex> lock(self->mutex_);
        auto found = self->index_.find(msg);
        if (found != self->index_.end()) {
            Ack &result = self->acks_[found->second];
            result.done = true;
            result.ok = ack != nullptr;
            if (ack != nullptr) {
                result.seq = ack->Sequence;
                result.duplicate = ack->Duplicate;
            } else if (error != nullptr) {
                result.error = std::string(natsStatus_GetText(error->Err)) + (error->ErrText ? std::string(": ") + error->ErrText : "");
                if (error->ErrCode != 0) result.error += " (JetStream error " + std::to_string(error->ErrCode) + ")";
            }
            self->index_.erase(found);
        }
    }
    natsMsg_Destroy(msg);
}

bool Publisher::send(const OutMessage &message, std::uint64_t expect_last_seq, std::size_t index, std::string &error) {
    natsMsg *msg = nullptr;
    natsStatus status = natsMsg_Create(&msg, message.subject.c_str(), nullptr, message.body.data(), static_cast<int>(message.body.size()));
    std::string id = message_id(message.commit_lsn, message.chunk);
    std::string commit_lsn = std::to_string(message.commit_lsn), chunk = std::to_string(message.chunk);
    std::string last_ordinal = std::to_string(message.last_ordinal), end_lsn = std::to_string(message.end_lsn);
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, kCommitLsnHeader, commit_lsn.c_str());
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, kChunkHeader, chunk.c_str());
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, kLastOrdinalHeader, last_ordinal.c_str());
    if (status == NATS_OK && message.final) status = natsMsgHeader_Set(msg, kFinalHeader, "true");
    if (status == NATS_OK && message.final) status = natsMsgHeader_Set(msg, kEndLsnHeader, end_lsn.c_str());
    if (status == NATS_OK && message.final) status = natsMsgHeader_Set(msg, kCommittedAtHeader, message.committed_at.c_str());
    if (status != NATS_OK) {
        natsMsg_Destroy(msg);
        error = std::string("building a message: ") + natsStatus_GetText(status);
        return false;
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = id.c_str();
    options.ExpectLastSeq = expect_last_seq;  // 0 (an empty stream) sets no expectation
    options.MaxWait = kAckWaitMs;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        index_[msg] = index;
    }
    natsMsg *owned = msg;
    status = js_PublishMsgAsync(nats_.js(), &owned, &options);
    if (status == NATS_OK) return true;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        index_.erase(msg);
    }
    natsMsg_Destroy(owned);  // still ours when the call failed
    natsStatus last = NATS_OK;
    error = std::string("publishing: ") + natsStatus_GetText(status) + ": " + nats_GetLastError(&last);
    return false;
}

Publisher::Result Publisher::publish(const std::deque<OutMessage> &messages, std::size_t count, std::uint64_t expect_last_seq) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        index_.clear();
        acks_.assign(count, Ack{});
    }
    std::string error;
    std::size_t sent = 0;
    for (; sent < count; sent++)
        if (!send(messages[sent], expect_last_seq + sent, sent, error)) break;
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = kAckWaitMs + 1000;
    js_PublishAsyncComplete(nats_.js(), &wait);  // a timeout shows as acknowledgements missing below
    return collect(sent, expect_last_seq, error);
}

Publisher::Result Publisher::collect(std::size_t sent, std::uint64_t expect_last_seq, std::string error) {
    std::lock_guard<std::mutex> lock(mutex_);
    Result result;
    result.last_seq = expect_last_seq;
    for (std::size_t i = 0; i < sent; i++) {
        const Ack &ack = acks_[i];
        std::string why;
        if (!ack.done) why = "no acknowledgement from the stream within " + std::to_string(kAckWaitMs / 1000) + " s";
        else if (!ack.ok) why = ack.error;
        else if (ack.duplicate) why = "the stream already holds message " + std::to_string(ack.seq) + " with this ID";
        else if (ack.seq != result.last_seq + 1 && result.last_seq != 0) why = "stored at an unexpected sequence " + std::to_string(ack.seq);
        if (!why.empty()) {
            result.error = why;
            break;
        }
        result.acked++;
        result.last_seq = ack.seq;
    }
    if (result.error.empty() && result.acked < acks_.size()) result.error = error;
    index_.clear();
    return result;
}

}  // namespace pgtrail
