// The writer's consumer.
#include "nats/pull_consumer.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "nats/reader_position.h"

namespace pgtrail {

namespace {

// PGTRAIL_TEST_DROP_DELIVERY=N: the process loses the N-th delivery it fetches, once, as the
// library does to a slow consumer (tests/integration/nats/lost_delivery_test.sh).
bool test_drops(std::uint64_t delivery) {
    static const char *setting = std::getenv("PGTRAIL_TEST_DROP_DELIVERY");
    static std::uint64_t countdown = setting ? std::strtoull(setting, nullptr, 10) : 0;
    if (countdown == 0 || delivery == 0) return false;
    return --countdown == 0;
}

constexpr std::int64_t kAckWaitNs = 600LL * 1000 * 1000 * 1000;  // redelivery is never needed: the writer recreates the consumer
constexpr std::int64_t kMaxAckPending = 1000000;

std::uint64_t header_number(natsMsg *msg, const char *name) {
    const char *value = nullptr;
    if (natsMsgHeader_Get(msg, name, &value) != NATS_OK || value == nullptr) return 0;
    return std::strtoull(value, nullptr, 10);
}

bool header_is(natsMsg *msg, const char *name, std::string_view expected) {
    const char *value = nullptr;
    return natsMsgHeader_Get(msg, name, &value) == NATS_OK && value != nullptr && expected == value;
}

}  // namespace

PullConsumer::PullConsumer(const std::vector<std::string> &urls, const std::string &name) : nats_(urls, name) {}

PullConsumer::~PullConsumer() {
    natsMsg_Destroy(last_);
    natsSubscription_Destroy(sub_);
}

void PullConsumer::start(const std::string &stream, const std::string &durable, const std::string &filter, std::uint64_t after) {
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_DeleteConsumer(nats_.js(), stream.c_str(), durable.c_str(), nullptr, &code);
    if (status != NATS_OK && status != NATS_NOT_FOUND && code != JSConsumerNotFoundErr)
        check_nats(status, "removing consumer " + durable + " of stream " + stream + " (to start it after sequence " + std::to_string(after) + ")", code);
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = durable.c_str();
    config.Description = "pgtrail write: its place is kept in the destination (pgtrail.stream_progress)";
    config.FilterSubject = filter.c_str();
    config.AckPolicy = js_AckAll;
    config.AckWait = kAckWaitNs;
    config.MaxAckPending = kMaxAckPending;
    config.DeliverPolicy = after == 0 ? js_DeliverAll : js_DeliverByStartSequence;
    config.OptStartSeq = after == 0 ? 0 : after + 1;
    jsConsumerInfo *info = nullptr;
    code = static_cast<jsErrCode>(0);
    status = js_AddConsumer(&info, nats_.js(), stream.c_str(), &config, nullptr, &code);
    jsConsumerInfo_Destroy(info);
    check_nats(status, "creating consumer " + durable + " of stream " + stream, code);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    options.Consumer = durable.c_str();
    code = static_cast<jsErrCode>(0);
    status = js_PullSubscribe(&sub_, nats_.js(), filter.c_str(), durable.c_str(), nullptr, &options, &code);
    check_nats(status, "subscribing to consumer " + durable + " of stream " + stream, code);
    // A fetch asks for its whole batch at once: past the library's default limits (64 MB) it would
    // drop messages as a slow consumer, and AckAll would acknowledge them with the next one.
    check_nats(natsSubscription_SetPendingLimits(sub_, -1, -1), "lifting the subscription's pending limits");
    delivered_ = 0;
}

std::vector<InMessage> PullConsumer::fetch(int batch, int timeout_ms) {
    natsMsgList list{};
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = natsSubscription_Fetch(&list, sub_, batch, timeout_ms, &code);
    std::vector<InMessage> out;
    if (status == NATS_TIMEOUT) return out;
    check_nats(status, "fetching from the stream", code);
    out.reserve(list.Count);
    for (int i = 0; i < list.Count; i++) {
        natsMsg *msg = list.Msgs[i];
        jsMsgMetaData *meta = nullptr;
        check_nats(natsMsg_GetMetaData(&meta, msg), "reading a message's metadata");
        InMessage in;
        in.sequence = meta->Sequence.Stream;
        std::uint64_t delivery = meta->Sequence.Consumer;
        if (test_drops(delivery)) {
            jsMsgMetaData_Destroy(meta);
            continue;
        }
        // The consumer was made for this session and delivers each message once, in order: a
        // delivery number skipped is a message lost on the way, which the next session fetches again.
        if (delivery > delivered_ + 1) {
            jsMsgMetaData_Destroy(meta);
            natsMsgList_Destroy(&list);
            throw NatsError("delivery " + std::to_string(delivered_ + 1) + " of the consumer never arrived (stream sequence " +
                            std::to_string(in.sequence) + " came as delivery " + std::to_string(delivery) + "); fetching again");
        }
        delivered_ = std::max(delivered_, delivery);
        in.pending = static_cast<std::int64_t>(meta->NumPending);
        jsMsgMetaData_Destroy(meta);
        in.commit_lsn = header_number(msg, kCommitLsnHeader);
        in.final = header_is(msg, kFinalHeader, "true");
        in.body.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
        out.push_back(std::move(in));
    }
    if (list.Count > 0) {
        natsMsg_Destroy(last_);
        last_ = list.Msgs[list.Count - 1];
        list.Msgs[list.Count - 1] = nullptr;  // kept for its acknowledgement
    }
    natsMsgList_Destroy(&list);
    return out;
}

void PullConsumer::ack_fetched() {
    if (last_ == nullptr) return;
    // Best effort: a lost acknowledgement only shows as lag until the next one.
    natsMsg_Ack(last_, nullptr);
    natsMsg_Destroy(last_);
    last_ = nullptr;
}

}  // namespace pgtrail
