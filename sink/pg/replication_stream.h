// The source side: a replication=database connection streaming the slot with
// START_REPLICATION, yielding CopyData messages and sending standby status updates.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "pg/pg_connection.h"

namespace pgtrail {

/// Readable bytes after every message next() yields, so a record can be parsed where it lies.
inline constexpr std::size_t kMessagePadding = 64;

class ReplicationStream {
public:
    enum class Next { message, would_block, ended };

    explicit ReplicationStream(asio::any_io_executor executor) : conn_(executor) {}

    /// Starts streaming the slot from lsn with the plugin options ("name" 'value', ...).
    asio::awaitable<void> start(const std::string &slot, std::uint64_t lsn, const std::string &options);
    /// The next CopyData message already received, if any; the view lives until the next call and
    /// is followed by kMessagePadding readable bytes.
    Next next(std::string_view &message);
    /// Sends a standby status update at once (best effort: the socket is not waited on).
    void send_status(std::uint64_t write, std::uint64_t flush, bool reply_requested = false);
    /// Why the stream ended (after Next::ended).
    std::string end_reason();

    PgConnection &connection() { return conn_; }

private:
    struct FreeDeleter {
        void operator()(char *p) const noexcept { std::free(p); }
    };
    PgConnection conn_;
    std::unique_ptr<char, FreeDeleter> buffer_;  ///< the last message, padded
};

/// A string in a replication command (START_REPLICATION's plugin options): the walsender's own
/// grammar takes '...' with quotes doubled and nothing else (no E'', no backslash escapes), so
/// libpq's PQescapeLiteral, right for SQL, would be wrong here.
std::string replication_literal(std::string_view value);

}  // namespace pgtrail
