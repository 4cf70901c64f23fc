// Keeps nats.c's blocking calls off the Asio event loop: run(f) executes f on the worker's own
// thread (one, so calls on a connection stay in order) and resumes the caller on its executor
// with f's result or exception. f is taken by reference: the caller's local outlives the call,
// and no by-value coroutine argument (a temporary in the co_await expression, which g++ 12
// frees wrongly) is made.
#pragma once

#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgtrail {

namespace asio = boost::asio;

class NatsWorker {
public:
    NatsWorker() : pool_(1) {}
    /// Waits for the call in progress (nats.c's calls all have timeouts).
    ~NatsWorker() { pool_.join(); }

    template <typename F>
    asio::awaitable<std::invoke_result_t<F &>> run(F &f) {
        using R = std::invoke_result_t<F &>;
        auto call = [&f]() -> asio::awaitable<R> { co_return f(); };
        auto executor = pool_.get_executor();  // no temporaries inside co_await (g++ 12)
        auto operation = asio::co_spawn(executor, std::move(call), asio::use_awaitable);
        co_return co_await std::move(operation);
    }

private:
    asio::thread_pool pool_;
};

}  // namespace pgtrail
