// The source through an SSH tunnel: a supervised system `ssh -N -L` child forwarding a local
// loopback port to the database as the SSH server sees it. Host keys are verified against
// known_hosts (StrictHostKeyChecking=yes), never accepted blindly. Restarted before a session
// when it died, so the sink's reconnect loop (with its backoff) also restarts the tunnel.
#pragma once

#include <memory>
#include <string>
#include <sys/types.h>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without it

#include <boost/asio/awaitable.hpp>

#include "config.h"

namespace pgtrail {

/// Points the source (and the destination when it is the source) at a free local port:
/// hostaddr=127.0.0.1 port=<local> (host stays, so TLS verify-full checks the real name).
/// Throws std::invalid_argument on a bad --ssh-host or a source that is not a TCP host.
void prepare_ssh_tunnel(RunConfig &config);

class SshTunnel {
public:
    explicit SshTunnel(const RunConfig &config) : config_(config) {}
    ~SshTunnel() { stop(); }
    SshTunnel(const SshTunnel &) = delete;
    SshTunnel &operator=(const SshTunnel &) = delete;

    /// Starts ssh when it is not running and waits until the forward listens; throws
    /// std::runtime_error with ssh's own message when it exits instead.
    boost::asio::awaitable<void> ensure(const bool &stop_requested);
    /// Ends the child.
    void stop() noexcept;

private:
    void spawn();
    bool alive();
    std::string drain_stderr();

    const RunConfig &config_;
    pid_t pid_ = -1;
    int stderr_fd_ = -1;
    std::string stderr_text_;
};

/// For the one-shot commands: opens the tunnel (when --ssh-host is given) and keeps it until
/// destroyed. Throws std::runtime_error when it cannot.
class BlockingSshTunnel {
public:
    explicit BlockingSshTunnel(const RunConfig &config);

private:
    std::unique_ptr<SshTunnel> tunnel_;
};

/// `pgtrail ssh-keygen`: an ed25519 key pair (private key mode 0600); prints the public key line.
int ssh_keygen_command(const std::string &file, const std::string &comment);

}  // namespace pgtrail
