// `pgtrail run`'s operator settings: metrics and health endpoint, heartbeats, slot safety, SSH tunnel
// (registered in options.cpp; the SSH ones also for check, setup, teardown and snapshot).
#pragma once

#include <cstdint>
#include <string>

namespace pgtrail {

struct OpsOptions {
    std::string metrics_listen;                       ///< host:port for /metrics and /healthz (empty: off; no host: loopback)
    int metrics_max_connections = 16;                 ///< open clients at most; the oldest idle one makes room
    int metrics_request_timeout_s = 10;               ///< one request, read and answered, within this (never extended)
    int heartbeat_interval_s = 0;                     ///< pg_logical_emit_message on the source (0: off)
    int monitor_interval_s = 15;                      ///< slot statistics are read this often
    std::uint64_t retained_wal_warn = 1024ull << 20;  ///< warn when the slot retains more WAL
    int stall_timeout_s = 120;                        ///< /healthz fails when WAL is pending and nothing moved this long
    std::string ssh_host;                             ///< user@host[:port] to tunnel the source through
    std::string ssh_known_hosts;                      ///< known_hosts file verifying the SSH host key
    std::string ssh_identity;                         ///< private key file (pgtrail ssh-keygen)
    std::string ssh_binary = "ssh";

    // Filled in by prepare_ssh_tunnel(): the source as the SSH server reaches it, and our end.
    std::string tunnel_target_host;
    std::string tunnel_target_port;
    int tunnel_local_port = 0;
};

}  // namespace pgtrail
