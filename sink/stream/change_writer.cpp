// COPY batches with their progress.
#include "stream/change_writer.h"

#include "json_escape.h"
#include "pg/quote.h"

namespace pgtrail {

ChangeWriter::ChangeWriter(PgConnection &conn, const TableName &table, ProgressKind progress, std::string origin)
    : conn_(conn), table_(quoted(table, sql_quoting(conn.get()))), copy_sql_("COPY " + table_ + " " + kCopyColumns + " FROM STDIN"),
      progress_(progress), origin_(std::move(origin)), poison_(conn, copy_sql_) {}

asio::awaitable<void> ChangeWriter::ensure_open() {
    if (open_) co_return;
    if (careful_) {
        co_await conn_.query("BEGIN");
        open_ = true;
        co_return;
    }
    std::string sql = "BEGIN; " + copy_sql_;
    PgResult result = co_await conn_.query(sql);
    if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN)
        throw PgError("COPY into " + table_ + " did not start", "");
    open_ = true;
}

asio::awaitable<void> ChangeWriter::send(std::string_view rows) {
    if (rows.empty()) co_return;
    co_await ensure_open();
    if (careful_) co_await poison_.write(rows);
    else co_await conn_.put_copy_data(rows);
}

asio::awaitable<void> ChangeWriter::commit(std::uint64_t commit_end_lsn, std::string_view commit_time) {
    char lsn[24];
    SqlQuoting quote = sql_quoting(conn_.get());
    std::string sql = progress_record_sql(progress_, origin_, std::string_view(lsn, format_lsn(commit_end_lsn, lsn)), commit_time, quote);
    co_await commit_with(sql);
}

asio::awaitable<void> ChangeWriter::commit_with(const std::string &progress_sql) {
    co_await ensure_open();
    if (!careful_) co_await conn_.put_copy_end();
    open_ = false;
    std::string sql = progress_sql + "; COMMIT";
    co_await conn_.query(sql);
}

}  // namespace pgtrail
