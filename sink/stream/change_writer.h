// The destination side: one transaction per batch, rows sent with COPY as they come,
// committed together with the progress (the replication origin's, or pgtrail.progress's row:
// schema/progress.h), so each change is written exactly once. After the destination refused
// a batch for its data, the session replays it in careful mode: the rows go through
// PoisonWriter (savepoints, refused rows stored in faithful form) in the same transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stream/change_encoder.h"
#include "pg/pg_connection.h"
#include "schema/progress.h"
#include "schema/schema.h"
#include "stream/poison_writer.h"

namespace pgtrail {

class ChangeWriter {
public:
    /// origin: the origin's name, also the key of pgtrail.progress.
    ChangeWriter(PgConnection &conn, const TableName &table, ProgressKind progress, std::string origin);

    /// True between the first row of a batch and its commit.
    bool open() const { return open_; }
    /// Careful mode (PoisonWriter) for the batches that follow; changed only between batches.
    void set_careful(bool careful) { careful_ = careful; }
    bool careful() const { return careful_; }
    /// Starts the batch's transaction and (unless careful) its COPY, if not started yet.
    asio::awaitable<void> ensure_open();
    /// Sends COPY data (whole rows in careful mode).
    asio::awaitable<void> send(std::string_view rows);
    /// Ends the COPY, records the progress (end LSN and time of the batch's last source
    /// commit) and commits.
    asio::awaitable<void> commit(std::uint64_t commit_end_lsn, std::string_view commit_time);
    /// Ends the COPY, runs progress_sql (a statement recording where the rows end) and commits.
    asio::awaitable<void> commit_with(const std::string &progress_sql);

private:
    PgConnection &conn_;
    std::string table_;
    std::string copy_sql_;
    ProgressKind progress_;
    std::string origin_;
    PoisonWriter poison_;
    bool open_ = false;
    bool careful_ = false;
};

}  // namespace pgtrail
