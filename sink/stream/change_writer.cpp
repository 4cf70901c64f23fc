// COPY batches with replication-origin progress.
#include "stream/change_writer.h"

#include "json_escape.h"
#include "pg/replication_stream.h"

namespace pgtrail {

ChangeWriter::ChangeWriter(PgConnection &conn, const TableName &table) : conn_(conn), table_(qualified(table)) {}

asio::awaitable<void> ChangeWriter::ensure_open() {
    if (open_) co_return;
    PgResult result = co_await conn_.query("BEGIN; COPY " + table_ + " " + kCopyColumns + " FROM STDIN");
    if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN)
        throw PgError("COPY into " + table_ + " did not start", "");
    open_ = true;
}

asio::awaitable<void> ChangeWriter::send(std::string_view rows) {
    if (rows.empty()) co_return;
    co_await ensure_open();
    co_await conn_.put_copy_data(rows);
}

asio::awaitable<void> ChangeWriter::commit(std::uint64_t commit_end_lsn, std::string_view commit_time) {
    co_await ensure_open();
    co_await conn_.put_copy_end();
    char lsn[24];
    std::string sql = "SELECT pg_replication_origin_xact_setup(" +
                      sql_literal(std::string_view(lsn, format_lsn(commit_end_lsn, lsn))) + ", " +
                      sql_literal(commit_time) + "); COMMIT";
    open_ = false;
    co_await conn_.query(sql);
}

}  // namespace pgtrail
