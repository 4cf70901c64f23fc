// NATS connections.
#include "nats/nats_connection.h"

#include <memory>

namespace pgtrail {

namespace {

constexpr std::int64_t kConnectTimeoutMs = 3000;
constexpr std::int64_t kApiWaitMs = 10000;       // JetStream API calls (a new stream leader takes a few seconds)
constexpr std::int64_t kReconnectWaitMs = 250;
constexpr std::int64_t kMaxPendingPublishes = 4096;

struct OptionsDeleter {
    void operator()(natsOptions *options) const { natsOptions_Destroy(options); }
};

}  // namespace

void check_nats(natsStatus status, const std::string &what, jsErrCode code) {
    if (status == NATS_OK) return;
    std::string text = std::string(natsStatus_GetText(status));
    natsStatus last = NATS_OK;
    const char *detail = nats_GetLastError(&last);
    if (detail != nullptr && *detail != '\0' && text.find(detail) == std::string::npos) text += ": " + std::string(detail);
    if (code != 0) text += " (JetStream error " + std::to_string(code) + ")";
    throw NatsError(what + ": " + text, code);
}

NatsConnection::NatsConnection(const std::vector<std::string> &urls, const std::string &name, jsPubAckHandler ack_handler,
                               void *ack_closure) {
    natsOptions *raw = nullptr;
    check_nats(natsOptions_Create(&raw), "NATS options");
    std::unique_ptr<natsOptions, OptionsDeleter> options(raw);
    std::vector<const char *> servers;
    for (const auto &url : urls) servers.push_back(url.c_str());
    check_nats(natsOptions_SetServers(raw, servers.data(), static_cast<int>(servers.size())), "NATS servers");
    natsOptions_SetName(raw, name.c_str());
    natsOptions_SetTimeout(raw, kConnectTimeoutMs);
    natsOptions_SetMaxReconnect(raw, -1);  // a node restarting: the client moves to another one
    natsOptions_SetReconnectWait(raw, kReconnectWaitMs);
    std::string joined;
    for (const auto &url : urls) joined += (joined.empty() ? "" : ",") + url;
    check_nats(natsConnection_Connect(&conn_, raw), "connecting to NATS at " + joined);
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.Wait = kApiWaitMs;
    js_options.PublishAsync.MaxPending = kMaxPendingPublishes;
    js_options.PublishAsync.AckHandler = ack_handler;
    js_options.PublishAsync.AckHandlerClosure = ack_closure;
    natsStatus status = natsConnection_JetStream(&js_, conn_, &js_options);
    if (status != NATS_OK) {
        natsConnection_Destroy(conn_);
        check_nats(status, "JetStream context");
    }
}

NatsConnection::~NatsConnection() {
    jsCtx_Destroy(js_);
    natsConnection_Close(conn_);
    natsConnection_Destroy(conn_);
}

std::string NatsConnection::server_url() const {
    char buf[512] = "";
    natsConnection_GetConnectedUrl(conn_, buf, sizeof buf);
    return buf;
}

std::vector<std::string> split_nats_urls(const std::string &list) {
    std::vector<std::string> urls;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string url = list.substr(start, end - start);
        url.erase(0, url.find_first_not_of(" \t"));
        url.erase(url.find_last_not_of(" \t") + 1);
        if (!url.empty()) urls.push_back(url.find("://") == std::string::npos ? "nats://" + url : url);
        start = end + 1;
    }
    return urls;
}

}  // namespace pgtrail
