// How a background coroutine ended: the completion handler given to asio::co_spawn.
#pragma once

#include <exception>
#include <string>

#include "log.h"
#include "pg/pg_connection.h"

namespace pgtrail {

/// Logs an exception that ended the task, its message after `what`, at `level`; a wait
/// interrupted on shutdown (Interrupted) is no failure.
inline auto log_task_end(std::string what, log::Level level = log::Level::error) {
    return [what = std::move(what), level](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const Interrupted &) {
        } catch (const std::exception &e) {
            log::write(level, what + e.what());
        }
    };
}

}  // namespace pgtrail
