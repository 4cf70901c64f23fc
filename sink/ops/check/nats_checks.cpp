// `check --nats`: the NATS side of a scale-out (docs/SCALING.md). The servers answer, JetStream
// is enabled, the stream is pgtrail's (subjects <stream>.>, file storage, replicas), its limits
// cannot drop unwritten messages and it has room, and the writer's consumer (--consumer, its
// filter --subject) is not far behind. Blocking calls: check has no event loop.
#include <algorithm>
#include <memory>

#include "nats/nats_connection.h"
#include "nats/stream_admin.h"
#include "nats/subjects.h"
#include "ops/check/nats_checks.h"

namespace pgtrail {

namespace {

struct AccountInfoDeleter {
    void operator()(jsAccountInfo *info) const { jsAccountInfo_Destroy(info); }
};
struct ConsumerInfoDeleter {
    void operator()(jsConsumerInfo *info) const { jsConsumerInfo_Destroy(info); }
};
struct ConsumerListDeleter {
    void operator()(jsConsumerInfoList *list) const { jsConsumerInfoList_Destroy(list); }
};

constexpr std::uint64_t kNearlyFullPercent = 80;

/// The connection; null after a FAIL that names the fix.
std::unique_ptr<NatsConnection> connect_nats(const RunConfig &config, CheckReport &report) {
    try {
        auto nats = std::make_unique<NatsConnection>(split_nats_urls(config.nats.urls), "pgtrail check");
        report.ok("nats", "connected to " + nats->server_url() + ", max payload " + bytes_text(static_cast<double>(nats->max_payload())));
        return nats;
    } catch (const NatsError &error) {
        report.fail("nats", std::string("cannot connect: ") + error.what(), "start the nats-server cluster, or give its URLs with --nats");
        return nullptr;
    }
}

/// False (after a FAIL) when JetStream does not answer.
bool check_jetstream(NatsConnection &nats, CheckReport &report) {
    jsAccountInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetAccountInfo(&raw, nats.js(), nullptr, &code);
    std::unique_ptr<jsAccountInfo, AccountInfoDeleter> info(raw);
    if (status != NATS_OK) {
        std::string why = std::string(natsStatus_GetText(status)) + (code != 0 ? " (JetStream error " + std::to_string(code) + ")" : "");
        report.fail("jetstream", "JetStream does not answer: " + why,
                    "enable it on every server: jetstream { store_dir: ... } in nats-server.conf, and a cluster of 3 for --nats-replicas 3");
        return false;
    }
    report.ok("jetstream", "enabled: " + std::to_string(info->Streams) + " streams, " + bytes_text(static_cast<double>(info->Store)) +
                               " stored on disk");
    return true;
}

/// The first sequence a purge must keep: after what every consumer has written (acknowledged), and
/// the last message at least (the reader resumes from it). 0 when there is no consumer.
std::uint64_t first_needed_seq(NatsConnection &nats, const std::string &stream, std::uint64_t last_seq) {
    jsConsumerInfoList *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_Consumers(&raw, nats.js(), stream.c_str(), nullptr, &code);
    std::unique_ptr<jsConsumerInfoList, ConsumerListDeleter> list(raw);
    if (status == NATS_NOT_FOUND) return 0;
    check_nats(status, "listing the consumers of stream " + stream, code);
    if (!list || list->Count == 0) return 0;
    std::uint64_t floor = last_seq;
    for (int i = 0; i < list->Count; i++) floor = std::min(floor, list->List[i]->AckFloor.Stream);
    return std::min(floor + 1, last_seq);
}

/// The stream's size and age limits: none may drop a message a writer has not written, and a full stream stops the reader.
void check_limits(NatsConnection &nats, const StreamFacts &facts, const NatsOptions &options, CheckReport &report) {
    std::string limits = "stream " + options.stream + ": " + stream_limits_text(facts);
    bool limited = facts.max_bytes > 0 || facts.max_age_ns > 0;
    if (limited && !facts.discard_new) {
        report.fail("nats stream limits", limits + ": at its limit it drops its oldest messages, written by every writer or not",
                    "pgtrail run --nats sets discard new when it starts (a full stream then refuses new messages and the slot keeps them)");
        return;
    }
    std::uint64_t percent = facts.max_bytes > 0 ? facts.bytes * 100 / static_cast<std::uint64_t>(facts.max_bytes) : 0;
    if (percent >= kNearlyFullPercent) {
        std::uint64_t keep = first_needed_seq(nats, options.stream, facts.last_seq);
        std::string purge = keep > facts.first_seq ? "or purge what every writer has written: nats stream purge " + options.stream +
                                                         " --seq " + std::to_string(keep)
                                                   : "no message is written by every writer yet: start the writers";
        report.warn("nats stream limits", limits + (percent >= 100 ? ": full, the reader cannot publish" : ": nearly full, the reader stops when it is"),
                    "raise --nats-max-bytes (pgtrail run --nats sets it when it starts), " + purge);
    } else if (facts.max_age_ns > 0) {
        report.warn("nats stream limits", limits + ": a message older than that is removed whether every writer has written it or not",
                    "no age limit (--nats-max-age 0), or one longer than any writer may be stopped; --nats-max-bytes bounds the stream safely");
    } else {
        report.ok("nats stream limits", limits);
    }
}

/// False when there is no pgtrail stream to look into.
bool check_stream(NatsConnection &nats, const NatsOptions &options, CheckReport &report) {
    StreamFacts facts = stream_facts(nats, options.stream);
    if (!facts.exists) {
        report.warn("nats stream", "stream " + options.stream + " does not exist yet", "pgtrail run --nats creates it (--nats-replicas)");
        return false;
    }
    std::string subjects = stream_subjects(options.stream);
    if (facts.subjects != subjects) {
        report.fail("nats stream", "stream " + options.stream + " has subjects " + facts.subjects + ", not " + subjects + ": not a pgtrail stream",
                    "give pgtrail's stream with --nats-stream");
        return false;
    }
    std::string state = std::to_string(facts.messages) + " messages (" + bytes_text(static_cast<double>(facts.bytes)) + "), sequences " +
                        std::to_string(facts.first_seq) + " to " + std::to_string(facts.last_seq) + ", " + std::to_string(facts.replicas) +
                        " replicas" + (facts.leader.empty() ? "" : ", leader " + facts.leader);
    if (!facts.file_storage)
        report.fail("nats stream", "stream " + options.stream + " keeps its messages in memory: a server restart loses them; " + state,
                    "create it again with file storage (pgtrail run --nats creates it so)");
    else if (facts.replicas < 3)
        report.warn("nats stream", "stream " + options.stream + ": " + state + "; the loss of its node stops the pipeline",
                    "3 replicas survive the loss of any one node (nats stream edit " + options.stream + " --replicas 3)");
    else
        report.ok("nats stream", "stream " + options.stream + ", file storage: " + state);
    check_limits(nats, facts, options, report);
    return true;
}

void check_consumer(NatsConnection &nats, const NatsOptions &options, CheckReport &report) {
    jsConsumerInfo *raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetConsumerInfo(&raw, nats.js(), options.stream.c_str(), options.consumer.c_str(), nullptr, &code);
    std::unique_ptr<jsConsumerInfo, ConsumerInfoDeleter> info(raw);
    std::string name = "consumer " + options.consumer;
    if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr) {
        report.warn("nats consumer", name + " does not exist yet", "pgtrail write --consumer " + options.consumer + " creates it");
        return;
    }
    check_nats(status, "reading " + name, code);
    std::string lag = std::to_string(info->NumPending) + " messages not delivered, " + std::to_string(info->NumAckPending) +
                      " delivered but not yet committed in the destination";
    std::string filter = info->Config != nullptr && info->Config->FilterSubject != nullptr ? info->Config->FilterSubject : options.stream + ".>";
    if (filter != options.filter())
        report.warn("nats consumer", name + " takes " + filter + ", not " + options.filter() + " (--subject): " + lag,
                    "give check the --subject its writer runs with (pgtrail write starts its consumer again with its own --subject)");
    else
        report.ok("nats consumer", name + " (" + filter + "): " + lag);
}

}  // namespace

void check_nats_side(const RunConfig &config, CheckReport &report) {
    std::unique_ptr<NatsConnection> nats = connect_nats(config, report);
    if (!nats || !check_jetstream(*nats, report)) return;
    try {
        if (check_stream(*nats, config.nats, report)) check_consumer(*nats, config.nats, report);
    } catch (const NatsError &error) {
        report.fail("nats", error.what());
    }
}

}  // namespace pgtrail
