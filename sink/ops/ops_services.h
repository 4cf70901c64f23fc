// What `pgtrail run` runs beside its sessions on the same io_context: the metrics endpoint,
// the source monitor (heartbeats, slot safety), the partition keeper and the SSH tunnel.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>

#include "config.h"
#include "ops/metrics_server.h"
#include "ops/partition_keeper.h"
#include "ops/source_monitor.h"
#include "ops/ssh_tunnel.h"

namespace pgtrail {

class OpsServices {
public:
    /// watch_source: run the source monitor (not for pgtrail write, which has no source).
    OpsServices(asio::io_context &io, const RunConfig &config, bool watch_source = true);
    /// Starts the endpoint and the monitor; throws std::runtime_error (e.g. the port is taken).
    void start();
    /// Stops them (and the tunnel) so that the io_context can finish.
    void stop();
    /// Before each session: the tunnel is up (gives up with Interrupted once stop_requested).
    asio::awaitable<void> before_session(const bool &stop_requested);
    /// A session failed (counted in the metrics).
    void on_session_error();

private:
    asio::io_context &io_;
    const RunConfig &config_;
    bool watch_source_;
    std::unique_ptr<MetricsServer> server_;
    std::unique_ptr<SourceMonitor> monitor_;
    std::unique_ptr<PartitionKeeper> partitions_;  ///< with --partition-by
    std::unique_ptr<SshTunnel> tunnel_;
};

}  // namespace pgtrail
