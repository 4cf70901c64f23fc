// The SSH tunnel child.
#include "ops/ssh_tunnel.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <libpq-fe.h>

#include "log.h"
#include "pg/pg_connection.h"

namespace pgtrail {

namespace asio = boost::asio;

namespace {

constexpr std::chrono::seconds kStartTimeout{20};
constexpr std::chrono::milliseconds kPoll{100};

struct SshTarget {
    std::string user_host;  ///< user@host
    std::string port = "22";
};

SshTarget parse_ssh_host(const std::string &text) {
    SshTarget target;
    target.user_host = text;
    if (text.empty() || text.front() == '-' || text.find_first_of(" \t\n'\"") != std::string::npos)
        throw std::invalid_argument("--ssh-host must look like user@host[:port], not \"" + text + "\"");
    auto colon = text.rfind(':');
    if (colon != std::string::npos && text.find(']') == std::string::npos) {
        target.user_host = text.substr(0, colon);
        target.port = text.substr(colon + 1);
        if (target.port.empty() || target.port.find_first_not_of("0123456789") != std::string::npos)
            throw std::invalid_argument("--ssh-host: bad port in \"" + text + "\"");
    }
    return target;
}

/// The source's host and port as libpq would use them (connection string, keywords, PG* variables).
std::pair<std::string, std::string> source_host_port(const ConnParams &conn) {
    std::string host, port, hostaddr;
    for (const auto &[key, value] : conn.params) {
        if (key == "dbname" && (value.find('=') != std::string::npos || value.find("://") != std::string::npos)) {
            char *error = nullptr;
            PQconninfoOption *options = PQconninfoParse(value.c_str(), &error);
            if (!options) {
                std::string message = error ? error : "invalid connection string";
                PQfreemem(error);
                throw std::invalid_argument("--source: " + message);
            }
            for (PQconninfoOption *o = options; o->keyword; o++) {
                if (!o->val || !*o->val) continue;
                if (std::strcmp(o->keyword, "host") == 0) host = o->val;
                if (std::strcmp(o->keyword, "port") == 0) port = o->val;
                if (std::strcmp(o->keyword, "hostaddr") == 0) hostaddr = o->val;
            }
            PQconninfoFree(options);
        } else if (key == "host") {
            host = value;
        } else if (key == "port") {
            port = value;
        } else if (key == "hostaddr") {
            hostaddr = value;
        }
    }
    if (host.empty() && std::getenv("PGHOST")) host = std::getenv("PGHOST");
    if (port.empty() && std::getenv("PGPORT")) port = std::getenv("PGPORT");
    std::string target = hostaddr.empty() ? host : hostaddr;
    if (target.empty()) target = "localhost";  // the database on the SSH server itself
    if (target.front() == '/' || target.find(',') != std::string::npos || port.find(',') != std::string::npos)
        throw std::invalid_argument("--ssh-host needs the source as one TCP host (as the SSH server reaches it), not \"" + target + "\"");
    return {target, port.empty() ? "5432" : port};
}

int free_local_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error(std::string("no free local port for the SSH tunnel: ") + std::strerror(errno));
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

/// True when something listens on 127.0.0.1:port (a bind with SO_REUSEADDR fails only then).
bool listening(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<unsigned short>(port));
    bool in_use = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return in_use;
}

}  // namespace

void prepare_ssh_tunnel(RunConfig &config) {
    OpsOptions &ops = config.ops;
    if (ops.ssh_host.empty()) return;
    parse_ssh_host(ops.ssh_host);
    if (ops.ssh_known_hosts.empty())
        throw std::invalid_argument("--ssh-host needs --ssh-known-hosts: a known_hosts file holding the SSH server's host key (ssh-keyscan, checked by hand)");
    auto [host, port] = source_host_port(config.source);
    ops.tunnel_target_host = host;
    ops.tunnel_target_port = port;
    ops.tunnel_local_port = free_local_port();
    // Later keywords win over the connection string's: connect to our end, keep host for TLS names.
    auto point = [&](ConnParams &conn) {
        conn.params.emplace_back("hostaddr", "127.0.0.1");
        conn.params.emplace_back("port", std::to_string(ops.tunnel_local_port));
        bool has_host = false;
        for (const auto &[key, value] : conn.params) has_host = has_host || key == "host";
        if (!has_host) conn.params.emplace_back("host", host);
    };
    point(config.source);
    if (config.destination_is_source) config.destination = config.source;
}

bool SshTunnel::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == 0) return true;
    drain_stderr();
    std::string why = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                        : "killed by signal " + std::to_string(WTERMSIG(status));
    log::warn("ssh tunnel to " + config_.ops.ssh_host + " " + why);
    pid_ = -1;
    if (stderr_fd_ >= 0) ::close(stderr_fd_);
    stderr_fd_ = -1;
    return false;
}

std::string SshTunnel::drain_stderr() {
    if (stderr_fd_ < 0) return stderr_text_;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
        if (n <= 0) break;
        stderr_text_.append(buf, static_cast<std::size_t>(n));
    }
    if (stderr_text_.size() > 16384) stderr_text_.erase(0, stderr_text_.size() - 16384);
    return stderr_text_;
}

void SshTunnel::spawn() {
    const OpsOptions &ops = config_.ops;
    SshTarget target = parse_ssh_host(ops.ssh_host);
    std::vector<std::string> args = {
        ops.ssh_binary, "-N", "-T",
        "-o", "ExitOnForwardFailure=yes",
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "UserKnownHostsFile=" + ops.ssh_known_hosts,
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "ServerAliveInterval=15",
        "-o", "ServerAliveCountMax=3",
        "-o", "ConnectTimeout=15",
        "-o", "LogLevel=ERROR",
        "-p", target.port,
        "-L", "127.0.0.1:" + std::to_string(ops.tunnel_local_port) + ":" + ops.tunnel_target_host + ":" + ops.tunnel_target_port};
    if (!ops.ssh_identity.empty()) {
        args.insert(args.end(), {"-i", ops.ssh_identity, "-o", "IdentitiesOnly=yes"});
    }
    args.push_back("--");
    args.push_back(target.user_host);
    std::vector<char *> argv;
    for (auto &arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // The tunnel dies with pgtrail, even on SIGKILL.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(1);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, STDIN_FILENO);
            ::dup2(devnull, STDOUT_FILENO);
        }
        // Its own process group: Ctrl-C in a terminal stops pgtrail, which ends the tunnel after its
        // last status update.
        ::setpgid(0, 0);
        ::execvp(argv[0], argv.data());
        std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    pid_ = pid;
    stderr_fd_ = pipe_fds[0];
    stderr_text_.clear();
    log::info("ssh tunnel: 127.0.0.1:" + std::to_string(ops.tunnel_local_port) + " -> " + ops.tunnel_target_host + ":" +
              ops.tunnel_target_port + " through " + ops.ssh_host + " (pid " + std::to_string(pid) + ")");
}

asio::awaitable<void> SshTunnel::ensure(const bool &stop_requested) {
    drain_stderr();
    if (alive()) co_return;
    spawn();
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!alive()) {
            // One line: ssh's lines joined, its "@@@@" banners left out.
            std::string message, line;
            for (char c : drain_stderr() + "\n") {
                if (c != '\n' && c != '\r') {
                    line += c;
                    continue;
                }
                if (!line.empty() && line[0] != '@') message += (message.empty() ? "" : "; ") + line;
                line.clear();
            }
            throw std::runtime_error("ssh tunnel through " + config_.ops.ssh_host + " failed: " +
                                     (message.empty() ? std::string("ssh exited") : message));
        }
        if (listening(config_.ops.tunnel_local_port)) co_return;
        if (stop_requested) throw Interrupted();
        timer.expires_after(kPoll);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    stop();
    throw std::runtime_error("ssh tunnel through " + config_.ops.ssh_host + " did not open its port within " +
                             std::to_string(kStartTimeout.count()) + " s");
}

void SshTunnel::stop() noexcept {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 50 && ::waitpid(pid_, &status, WNOHANG) == 0; i++) ::usleep(20000);
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
        pid_ = -1;
    }
    if (stderr_fd_ >= 0) ::close(stderr_fd_);
    stderr_fd_ = -1;
}

BlockingSshTunnel::BlockingSshTunnel(const RunConfig &config) {
    if (config.ops.ssh_host.empty()) return;
    tunnel_ = std::make_unique<SshTunnel>(config);
    asio::io_context io;
    std::exception_ptr failure;
    static const bool never = false;
    asio::co_spawn(io, tunnel_->ensure(never), [&](std::exception_ptr error) { failure = error; });
    io.run();
    if (failure) std::rethrow_exception(failure);
}

int ssh_keygen_command(const std::string &file, const std::string &comment) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0) {
        std::cerr << "pgtrail ssh-keygen: " << file << " exists already; its public key:\n";
    } else {
        pid_t pid = ::fork();
        if (pid == 0) {
            ::execlp("ssh-keygen", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment.c_str(), "-f", file.c_str(),
                     static_cast<char *>(nullptr));
            std::fprintf(stderr, "pgtrail ssh-keygen: cannot run ssh-keygen (install openssh-client): %s\n", std::strerror(errno));
            ::_exit(127);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    }
    if (::chmod(file.c_str(), 0600) != 0) {
        std::cerr << "pgtrail ssh-keygen: chmod 600 " << file << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    std::ifstream pub(file + ".pub");
    std::string line;
    if (!std::getline(pub, line)) {
        std::cerr << "pgtrail ssh-keygen: cannot read " << file << ".pub\n";
        return 1;
    }
    std::cout << line << "\n";
    std::cerr << "private key: " << file << " (mode 0600); add the line above to ~/.ssh/authorized_keys of the SSH user,\n"
              << "then: pgtrail run --ssh-host user@host --ssh-identity " << file << " --ssh-known-hosts <file>\n";
    return 0;
}

}  // namespace pgtrail
