// Stream creation and inspection.
#include "nats/stream_admin.h"

#include <memory>

#include "nats/subjects.h"

namespace pgtrail {

namespace {

constexpr std::int64_t kDuplicateWindowNs = 120LL * 1000 * 1000 * 1000;  // the server's default; correctness does not depend on it

struct StreamInfoDeleter {
    void operator()(jsStreamInfo *info) const { jsStreamInfo_Destroy(info); }
};
struct MsgDeleter {
    void operator()(natsMsg *msg) const { natsMsg_Destroy(msg); }
};

StreamFacts facts_of(const jsStreamInfo &info) {
    StreamFacts facts;
    facts.exists = true;
    facts.messages = info.State.Msgs;
    facts.bytes = info.State.Bytes;
    facts.first_seq = info.State.FirstSeq;
    facts.last_seq = info.State.LastSeq;
    facts.replicas = info.Config != nullptr ? info.Config->Replicas : 0;
    facts.file_storage = info.Config != nullptr && info.Config->Storage == js_FileStorage;
    for (int i = 0; info.Config != nullptr && i < info.Config->SubjectsLen; i++)
        facts.subjects += (facts.subjects.empty() ? "" : ",") + std::string(info.Config->Subjects[i]);
    if (info.Cluster != nullptr && info.Cluster->Leader != nullptr) facts.leader = info.Cluster->Leader;
    return facts;
}

}  // namespace

StreamFacts stream_facts(NatsConnection &nats, const std::string &stream) {
    jsStreamInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetStreamInfo(&raw, nats.js(), stream.c_str(), nullptr, &code);
    std::unique_ptr<jsStreamInfo, StreamInfoDeleter> info(raw);
    if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr) return {};
    check_nats(status, "reading stream " + stream, code);
    return facts_of(*info);
}

StreamFacts ensure_stream(NatsConnection &nats, const std::string &stream, int replicas, bool &created) {
    created = false;
    std::string subjects = stream_subjects(stream);
    StreamFacts facts = stream_facts(nats, stream);
    if (facts.exists) {
        if (facts.subjects != subjects)
            throw NatsError("stream " + stream + " exists with subjects " + facts.subjects + ", not " + subjects +
                            ": it is not a pgtrail stream; give another name with --nats-stream");
        return facts;
    }
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char *subject_list[] = {subjects.c_str()};
    config.Name = stream.c_str();
    config.Description = "pgtrail: committed source changes, one subject per table (docs/FORMAT.md)";
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = replicas;
    config.Duplicates = kDuplicateWindowNs;
    config.Retention = js_LimitsPolicy;
    jsStreamInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_AddStream(&raw, nats.js(), &config, nullptr, &code);
    std::unique_ptr<jsStreamInfo, StreamInfoDeleter> info(raw);
    check_nats(status, "creating stream " + stream + " (file storage, " + std::to_string(replicas) + " replicas)", code);
    created = true;
    return facts_of(*info);
}

StreamTail stream_tail(NatsConnection &nats, const std::string &stream, std::uint64_t last_seq) {
    if (last_seq == 0) return {};
    natsMsg *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetMsg(&raw, nats.js(), stream.c_str(), last_seq, nullptr, &code);
    std::unique_ptr<natsMsg, MsgDeleter> msg(raw);
    check_nats(status, "reading message " + std::to_string(last_seq) + " of stream " + stream, code);
    return read_tail(last_seq, [&](const char *name) -> std::optional<std::string> {
        const char *value = nullptr;
        if (natsMsgHeader_Get(msg.get(), name, &value) != NATS_OK || value == nullptr) return std::nullopt;
        return std::string(value);
    });
}

}  // namespace pgtrail
