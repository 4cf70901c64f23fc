// Operator services and run's operator options.
#include "ops/ops_services.h"

#include <CLI/CLI.hpp>

#include "ops/metrics.h"

namespace pgtrail {

void add_ops_options(CLI::App &run, OpsOptions &o) {
    run.add_option("--metrics-listen", o.metrics_listen, "Serve Prometheus /metrics and /healthz on host:port (e.g. 127.0.0.1:9187)");
    run.add_option("--heartbeat-interval", o.heartbeat_interval_s,
                   "Seconds between heartbeats (pg_logical_emit_message on the source) so the slot advances on idle databases; 0: off")
        ->capture_default_str()->check(CLI::Range(0, 86400));
    run.add_option("--monitor-interval", o.monitor_interval_s, "Seconds between reads of the slot's lag and retained WAL")
        ->capture_default_str()->check(CLI::Range(1, 3600));
    run.add_option("--retained-wal-warn", o.retained_wal_warn, "Warn (log and metric) when the slot retains more WAL (e.g. 1GB)")
        ->transform(CLI::AsSizeValue(false))->capture_default_str();
    run.add_option("--stall-timeout", o.stall_timeout_s, "/healthz fails when WAL is pending and nothing was confirmed for this many seconds")
        ->capture_default_str()->check(CLI::Range(1, 86400));
    add_ssh_options(run, o);
}

void add_ssh_options(CLI::App &command, OpsOptions &o) {
    command.add_option("--ssh-host", o.ssh_host, "Reach the source through an SSH tunnel: user@host[:port] (the source's host as that server sees it)");
    command.add_option("--ssh-known-hosts", o.ssh_known_hosts, "known_hosts file with the SSH server's host key (required with --ssh-host)");
    command.add_option("--ssh-identity", o.ssh_identity, "Private key for the SSH tunnel (see pgtrail ssh-keygen)");
    command.add_option("--ssh-binary", o.ssh_binary, "The OpenSSH client to run")->capture_default_str();
}

OpsServices::OpsServices(asio::io_context &io, const RunConfig &config) : io_(io), config_(config) {
    metrics().stall_timeout_s = config.ops.stall_timeout_s;
}

void OpsServices::start() {
    if (!config_.ops.ssh_host.empty()) tunnel_ = std::make_unique<SshTunnel>(config_);
    if (!config_.ops.metrics_listen.empty()) {
        server_ = std::make_unique<MetricsServer>(io_, config_.ops.metrics_listen);
        server_->start();
    }
    monitor_ = std::make_unique<SourceMonitor>(io_, config_);
    monitor_->start();
}

void OpsServices::stop() {
    if (server_) server_->stop();
    if (monitor_) monitor_->stop();
    if (tunnel_) tunnel_->stop();
}

asio::awaitable<void> OpsServices::before_session(const bool &stop_requested) {
    if (tunnel_) co_await tunnel_->ensure(stop_requested);
}

void OpsServices::on_session_error() { metrics().on_session_error(); }

}  // namespace pgtrail
