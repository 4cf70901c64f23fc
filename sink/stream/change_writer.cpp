// COPY batches with their progress.
#include "stream/change_writer.h"

#include "json_escape.h"
#include "pg/quote.h"

namespace pgtrail {

ChangeWriter::ChangeWriter(PgConnection &conn, const TableName &table, ProgressKind progress, std::string origin)
    : conn_(conn), table_(quoted(table, sql_quoting(conn.get()))), progress_(progress), origin_(std::move(origin)) {}

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
    SqlQuoting quote = sql_quoting(conn_.get());
    std::string sql = progress_record_sql(progress_, origin_, std::string_view(lsn, format_lsn(commit_end_lsn, lsn)), commit_time, quote) +
                      "; COMMIT";
    open_ = false;
    co_await conn_.query(sql);
}

}  // namespace pgtrail
