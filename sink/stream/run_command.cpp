// The run command.
#include "stream/run_command.h"

#include <csignal>
#include <cstdlib>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log.h"
#include "ops/ops_services.h"
#include "stream/poison_row.h"
#include "stream/server_setup.h"
#include "nats/reader_session.h"
#include "nats/writer_session.h"
#include "stream/session.h"

namespace pgtrail {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{500};

/// Sessions made by make_session(executor) until stopped; exit_code is set to 1 on a FatalError.
template <typename MakeSession>
asio::awaitable<void> reconnect_loop(const RunConfig &config, StopState &stop, asio::steady_timer &backoff_timer,
                                     int &exit_code, OpsServices &ops, MakeSession make_session) {
    auto executor = co_await asio::this_coro::executor;
    auto delay = kFirstBackoff;
    const auto max_delay = std::chrono::milliseconds(config.max_backoff_s * 1000);
    while (!stop.requested) {
        auto made = make_session(executor);
        auto &session = *made;
        try {
            co_await ops.before_session(stop.requested);
            co_await session.run();
            co_return;
        } catch (const Interrupted &) {
            co_return;
        } catch (const ReconnectNow &note) {
            log::info(note.what());
            continue;
        } catch (const FatalError &error) {
            log::error(error.what());
            exit_code = 1;
            co_return;
        } catch (const RefusedData &error) {
            ops.on_session_error();
            log::warn(std::string(error.what()) + "; reconnecting in " + std::to_string(delay.count()) + " ms");
        } catch (const PgError &error) {
            ops.on_session_error();
            if (session.made_progress()) delay = kFirstBackoff;  // a poison batch still backs off
            log::warn(loggable_error(error.sqlstate, error.what()) + "; reconnecting in " + std::to_string(delay.count()) + " ms");
        } catch (const std::exception &error) {
            ops.on_session_error();
            if (session.made_progress()) delay = kFirstBackoff;
            log::warn(std::string(error.what()) + "; reconnecting in " + std::to_string(delay.count()) + " ms");
        }
        if (stop.requested) break;
        backoff_timer.expires_after(delay);
        boost::system::error_code ec;
        co_await backoff_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        delay = std::min(delay * 2, max_delay);
    }
}

template <typename SessionMaker>
int run_sessions(const RunConfig &config, SessionMaker session_maker, bool watch_source = true) {
    asio::io_context io;
    StopState stop;
    asio::steady_timer backoff_timer(io);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signo) {
        if (ec) return;
        if (stop.requested) std::_Exit(1);  // a second signal: leave at once
        log::info(std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
        stop.requested = true;
        if (stop.wake) stop.wake();
        backoff_timer.cancel();
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    OpsServices ops(io, config, watch_source);
    try {
        ops.start();
    } catch (const std::exception &error) {
        log::error(error.what());
        return 1;
    }
    int exit_code = 0;
    asio::co_spawn(io, reconnect_loop(config, stop, backoff_timer, exit_code, ops, session_maker(stop)), [&](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception &e) {
                log::error(std::string("unexpected error: ") + e.what());
            }
            exit_code = 1;
        }
        signals.cancel();
        ops.stop();
    });
    io.run();
    return exit_code;
}

}  // namespace

int run_command(const RunConfig &config) {
    auto refused = std::make_shared<RefusedBatch>();  // outlives sessions: the next one replays a refused batch change by change
    return run_sessions(config, [&config, refused](StopState &stop) {
        return [&config, &stop, refused](asio::any_io_executor executor) {
            return std::make_unique<Session>(executor, config, stop, *refused);
        };
    });
}

int run_writer_command(const RunConfig &config) {
    auto refused = std::make_shared<RefusedMessages>();  // outlives sessions: the next one replays a refused batch change by change
    auto make = [&config, refused](StopState &stop) {
        return [&config, &stop, refused](asio::any_io_executor executor) {
            return std::make_unique<WriterSession>(executor, config, stop, *refused);
        };
    };
    return run_sessions(config, make, false);
}

int run_reader_command(const RunConfig &config) {
    return run_sessions(config, [&config](StopState &stop) {
        return [&config, &stop](asio::any_io_executor executor) { return std::make_unique<ReaderSession>(executor, config, stop); };
    });
}

}  // namespace pgtrail
