// A connection to a NATS cluster with its JetStream context (nats.c, Debian's libnats-dev).
// Every call blocks: only the NATS worker thread (nats/nats_worker.h) uses it, never the Asio
// event loop.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nats/nats.h>

namespace pgtrail {

/// A NATS call failed; what() names the call and the server's answer.
struct NatsError : std::runtime_error {
    NatsError(const std::string &what, jsErrCode code = static_cast<jsErrCode>(0)) : std::runtime_error(what), js_code(code) {}
    jsErrCode js_code;
};

/// Throws NatsError unless status is NATS_OK.
void check_nats(natsStatus status, const std::string &what, jsErrCode code = static_cast<jsErrCode>(0));

class NatsConnection {
public:
    /// Connects to the first reachable of urls (the rest are tried on reconnect). ack_handler
    /// receives the acknowledgements of asynchronous publishes.
    NatsConnection(const std::vector<std::string> &urls, const std::string &name, jsPubAckHandler ack_handler = nullptr,
                   void *ack_closure = nullptr);
    ~NatsConnection();
    NatsConnection(const NatsConnection &) = delete;
    NatsConnection &operator=(const NatsConnection &) = delete;

    natsConnection *get() const { return conn_; }
    jsCtx *js() const { return js_; }
    /// The largest message the server takes (headers and body).
    std::int64_t max_payload() const { return natsConnection_GetMaxPayload(conn_); }
    /// The URL of the server connected to.
    std::string server_url() const;

private:
    natsConnection *conn_ = nullptr;
    jsCtx *js_ = nullptr;
};

/// "a,b" → {"a", "b"}, spaces trimmed; a URL without a scheme gets nats://.
std::vector<std::string> split_nats_urls(const std::string &list);

}  // namespace pgtrail
