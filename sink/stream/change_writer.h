// The destination side: one transaction per batch, rows sent with COPY as they come,
// committed together with the replication origin's progress (exactly once).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stream/change_encoder.h"
#include "pg/pg_connection.h"
#include "schema/schema.h"

namespace pgtrail {

class ChangeWriter {
public:
    ChangeWriter(PgConnection &conn, const TableName &table);

    /// True between the first row of a batch and its commit.
    bool open() const { return open_; }
    /// Starts the batch's transaction and its COPY, if not started yet.
    asio::awaitable<void> ensure_open();
    /// Sends COPY data.
    asio::awaitable<void> send(std::string_view rows);
    /// Ends the COPY, records the origin's progress (end LSN and time of the batch's last
    /// source commit) and commits.
    asio::awaitable<void> commit(std::uint64_t commit_end_lsn, std::string_view commit_time);

private:
    PgConnection &conn_;
    std::string table_;
    bool open_ = false;
};

}  // namespace pgtrail
