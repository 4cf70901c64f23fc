// Streaming replication protocol over libpq.
#include "pg/replication_stream.h"

#include <cstring>
#include <new>

#include "pg/copy_text.h"
#include "json_escape.h"
#include "pg/wire.h"

namespace pgtrail {

std::string replication_literal(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

asio::awaitable<void> ReplicationStream::start(const std::string &slot, std::uint64_t lsn, const std::string &options) {
    char lsn_text[24];
    std::size_t len = format_lsn(lsn, lsn_text);
    std::string command = "START_REPLICATION SLOT \"" + slot + "\" LOGICAL " + std::string(lsn_text, len);
    if (!options.empty()) command += " (" + options + ")";
    PgResult result = co_await conn_.query(command);
    if (!result || PQresultStatus(result.get()) != PGRES_COPY_BOTH)
        throw PgError("START_REPLICATION did not start streaming: " + conn_.error_message(), "");
}

ReplicationStream::Next ReplicationStream::next(std::string_view &message) {
    buffer_.reset();
    char *data = nullptr;
    int n = PQgetCopyData(conn_.get(), &data, 1);
    if (n == 0) return Next::would_block;
    if (n < 0) return Next::ended;
    // Padding after the message instead of a padded copy of it: libpq allocates it with malloc
    // (PQfreemem is free outside Windows), and realloc moves a huge block's pages, not its bytes.
    auto size = static_cast<std::size_t>(n);
    char *padded = static_cast<char *>(std::realloc(data, size + kMessagePadding));
    if (padded == nullptr) {
        PQfreemem(data);
        throw std::bad_alloc();
    }
    std::memset(padded + size, 0, kMessagePadding);
    buffer_.reset(padded);
    message = std::string_view(padded, size);
    return Next::message;
}

std::string ReplicationStream::end_reason() {
    PgResult result(PQgetResult(conn_.get()));
    if (result && PQresultStatus(result.get()) == PGRES_FATAL_ERROR) {
        const char *primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
        if (primary) return primary;
    }
    std::string message = conn_.error_message();
    return message.empty() ? "the server ended replication" : message;
}

void ReplicationStream::send_status(std::uint64_t write, std::uint64_t flush, bool reply_requested) {
    std::string msg = build_status_update(write, flush, flush, now_unix_micros(), reply_requested);
    if (PQputCopyData(conn_.get(), msg.data(), static_cast<int>(msg.size())) < 0) return;
    PQflush(conn_.get());
}

}  // namespace pgtrail
