// Operator services.
#include "ops/ops_services.h"

#include "ops/metrics.h"

namespace pgtrail {

OpsServices::OpsServices(asio::io_context &io, const RunConfig &config, bool watch_source)
    : io_(io), config_(config), watch_source_(watch_source) {
    metrics().stall_timeout_s = config.ops.stall_timeout_s;
}

void OpsServices::start() {
    if (!config_.ops.ssh_host.empty()) tunnel_ = std::make_unique<SshTunnel>(config_);
    if (!config_.ops.metrics_listen.empty()) {
        server_ = std::make_unique<MetricsServer>(
            io_, config_.ops.metrics_listen,
            MetricsServer::Limits{config_.ops.metrics_max_connections, std::chrono::seconds(config_.ops.metrics_request_timeout_s)});
        server_->start();
    }
    if (!watch_source_) return;
    monitor_ = std::make_unique<SourceMonitor>(io_, config_);
    monitor_->start();
    if (!config_.partition_by.empty()) {
        partitions_ = std::make_unique<PartitionKeeper>(io_, config_);
        partitions_->start();
    }
}

void OpsServices::stop() {
    if (server_) server_->stop();
    if (monitor_) monitor_->stop();
    if (partitions_) partitions_->stop();
    if (tunnel_) tunnel_->stop();
}

asio::awaitable<void> OpsServices::before_session(const bool &stop_requested) {
    if (tunnel_) co_await tunnel_->ensure(stop_requested);
}

void OpsServices::on_session_error() { metrics().on_session_error(); }

}  // namespace pgtrail
