// Stream creation and inspection.
#include "nats/stream_admin.h"

#include <memory>

#include "nats/subjects.h"
#include "ops/check/report.h"

namespace pgtrail {

namespace {

constexpr std::int64_t kDuplicateWindowNs = 120LL * 1000 * 1000 * 1000;  // the server's default; correctness does not depend on it
constexpr std::int64_t kNsPerSecond = 1000LL * 1000 * 1000;

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
    if (info.Config != nullptr) {
        facts.max_bytes = info.Config->MaxBytes;
        facts.max_age_ns = info.Config->MaxAge;
        facts.discard_new = info.Config->Discard == js_DiscardNew;
    }
    for (int i = 0; info.Config != nullptr && i < info.Config->SubjectsLen; i++)
        facts.subjects += (facts.subjects.empty() ? "" : ",") + std::string(info.Config->Subjects[i]);
    if (info.Cluster != nullptr && info.Cluster->Leader != nullptr) facts.leader = info.Cluster->Leader;
    return facts;
}

using StreamInfo = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;

/// The stream's configuration and state; null when there is none.
StreamInfo stream_info(NatsConnection &nats, const std::string &stream) {
    jsStreamInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetStreamInfo(&raw, nats.js(), stream.c_str(), nullptr, &code);
    StreamInfo info(raw);
    if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr) return nullptr;
    check_nats(status, "reading stream " + stream, code);
    return info;
}

/// A limit as the server takes it: 0 (none) is -1 for a size, 0 for an age.
std::int64_t max_bytes_of(const NatsOptions &options) { return options.max_bytes > 0 ? options.max_bytes : -1; }
std::int64_t max_age_ns_of(const NatsOptions &options) { return options.max_age_s > 0 ? options.max_age_s * kNsPerSecond : 0; }

std::string size_limit_text(std::int64_t max_bytes) {
    return max_bytes > 0 ? "max bytes " + bytes_text(static_cast<double>(max_bytes)) : "no size limit";
}

std::string age_limit_text(std::int64_t max_age_ns) {
    if (max_age_ns <= 0) return "no age limit";
    std::int64_t seconds = max_age_ns / kNsPerSecond;
    if (seconds % 86400 == 0) return "max age " + std::to_string(seconds / 86400) + "d";
    if (seconds % 3600 == 0) return "max age " + std::to_string(seconds / 3600) + "h";
    return "max age " + std::to_string(seconds) + "s";
}

/// Sets the limits options were given (the others stay as the stream has them) and discard new on an
/// existing stream; what changed ("" when nothing).
std::string apply_limits(NatsConnection &nats, const jsStreamInfo &info, const NatsOptions &options, StreamFacts &facts) {
    std::int64_t max_bytes = options.max_bytes_given ? max_bytes_of(options) : facts.max_bytes;
    std::int64_t max_age_ns = options.max_age_given ? max_age_ns_of(options) : facts.max_age_ns;
    std::string changed;
    auto note = [&changed](const std::string &what) { changed += (changed.empty() ? "" : ", ") + what; };
    if (facts.max_bytes != max_bytes) note(size_limit_text(facts.max_bytes) + " -> " + size_limit_text(max_bytes));
    if (facts.max_age_ns != max_age_ns) note(age_limit_text(facts.max_age_ns) + " -> " + age_limit_text(max_age_ns));
    if (!facts.discard_new) note("discard old -> discard new");
    if (changed.empty()) return changed;
    jsStreamConfig config = *info.Config;  // its pointers stay info's
    config.MaxBytes = max_bytes;
    config.MaxAge = max_age_ns;
    config.Discard = js_DiscardNew;
    jsStreamInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_UpdateStream(&raw, nats.js(), &config, nullptr, &code);
    StreamInfo updated(raw);
    check_nats(status, "setting the limits of stream " + options.stream + " (" + changed + ")", code);
    facts = facts_of(*updated);
    return changed;
}

}  // namespace

std::string stream_limits_text(const StreamFacts &facts) {
    if (facts.max_bytes <= 0 && facts.max_age_ns <= 0) return std::string("no size or age limit, ") + (facts.discard_new ? "discard new" : "discard old");
    std::string text = size_limit_text(facts.max_bytes);
    if (facts.max_bytes > 0) text += ", " + std::to_string(facts.bytes * 100 / static_cast<std::uint64_t>(facts.max_bytes)) + "% full";
    return text + ", " + age_limit_text(facts.max_age_ns) + ", " + (facts.discard_new ? "discard new" : "discard old");
}

StreamFacts stream_facts(NatsConnection &nats, const std::string &stream) {
    StreamInfo info = stream_info(nats, stream);
    return info ? facts_of(*info) : StreamFacts{};
}

EnsuredStream ensure_stream(NatsConnection &nats, const NatsOptions &options) {
    const std::string &stream = options.stream;
    std::string subjects = stream_subjects(stream);
    StreamInfo existing = stream_info(nats, stream);
    EnsuredStream out;
    if (existing) {
        out.facts = facts_of(*existing);
        if (out.facts.subjects != subjects)
            throw NatsError("stream " + stream + " exists with subjects " + out.facts.subjects + ", not " + subjects +
                            ": it is not a pgtrail stream; give another name with --nats-stream");
        if (out.facts.file_storage) out.limits_changed = apply_limits(nats, *existing, options, out.facts);
        return out;
    }
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char *subject_list[] = {subjects.c_str()};
    config.Name = stream.c_str();
    config.Description = "pgtrail: committed source changes, one subject per table (docs/FORMAT.md)";
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = options.replicas;
    config.Duplicates = kDuplicateWindowNs;
    config.Retention = js_LimitsPolicy;  // kept after writers read it: restarted writers and new destinations read it again
    config.MaxBytes = max_bytes_of(options);
    config.MaxAge = max_age_ns_of(options);
    config.Discard = js_DiscardNew;      // full: refuse new messages (the slot keeps them), never drop unwritten ones
    jsStreamInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_AddStream(&raw, nats.js(), &config, nullptr, &code);
    StreamInfo info(raw);
    check_nats(status, "creating stream " + stream + " (file storage, " + std::to_string(options.replicas) + " replicas)", code);
    out.created = true;
    out.facts = facts_of(*info);
    return out;
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
