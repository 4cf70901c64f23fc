// Streamed exports.
#include "ui/export_api.h"

#include <chrono>

#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include "log.h"
#include "ui/change_filter.h"
#include "ui/csv_field.h"

namespace pgtrail::ui {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr int kFetchRows = 1000;
const char *const kCsvColumns[] = {"id", "committed_at", "schema", "table", "operation", "primary_key", "transaction_id",
                                   "commit_lsn", "ordinal", "context", "before", "after"};

std::string select_list(ExportFormat format) {
    if (format == ExportFormat::ndjson)
        return "row_to_json(c)::text FROM (SELECT " + std::string(kChangeColumns) + " FROM ";
    return "id::text, committed_at::text, schema, \"table\", operation, primary_key, transaction_id::text, commit_lsn::text, "
           "ordinal::text, context::text, before::text, after::text FROM (SELECT * FROM ";
}

/// The rows of one FETCH in the export's format.
std::string render(const PgResult &rows, ExportFormat format) {
    std::string out;
    int n = PQntuples(rows.get()), columns = PQnfields(rows.get());
    for (int row = 0; row < n; row++) {
        if (format == ExportFormat::ndjson) {
            out += cell(rows, row, 0);
        } else {
            for (int column = 0; column < columns; column++) out += (column ? "," : "") + csv_field(cell(rows, row, column));
            out += '\r';
        }
        out += '\n';
    }
    return out;
}

asio::awaitable<void> write_chunk(boost::beast::tcp_stream &stream, const std::string &data) {
    if (data.empty()) co_return;
    stream.expires_after(std::chrono::seconds(60));  // a reader that stops reading is dropped
    auto chunk = http::make_chunk(asio::buffer(data));
    co_await asio::async_write(stream, chunk, asio::use_awaitable);
}

asio::awaitable<void> stream_rows(PgConnection &db, ExportFormat format, PgResult &rows, const std::string &fetch,
                                  boost::beast::tcp_stream &stream) {
    std::string header_line;
    for (const char *column : kCsvColumns) header_line += (header_line.empty() ? "" : ",") + std::string(column);
    header_line += "\r\n";
    if (format == ExportFormat::csv) co_await write_chunk(stream, header_line);
    while (PQntuples(rows.get()) > 0) {
        std::string text = render(rows, format);
        co_await write_chunk(stream, text);
        if (PQntuples(rows.get()) < kFetchRows) break;
        rows = co_await db.query(fetch);
    }
    std::string commit = "COMMIT";
    co_await db.query(commit);
    auto last = http::make_chunk_last();
    co_await asio::async_write(stream, last, asio::use_awaitable);
}

}  // namespace

asio::awaitable<void> stream_export(ApiContext &api, const Target &target, ExportFormat format, boost::beast::tcp_stream &stream,
                                    unsigned http_version, const std::vector<std::pair<std::string, std::string>> &headers) {
    SqlFilter filter = change_filter(target, {});
    auto db = co_await api.pool.reader();
    // One snapshot for the whole export; the cursor hands out kFetchRows rows at a time.
    std::string begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    co_await db->query(begin);
    std::string declare = "DECLARE pgtrail_export NO SCROLL CURSOR FOR SELECT " + select_list(format) + api.changes_table +
                          " WHERE " + filter.where + " ORDER BY commit_lsn DESC, ordinal DESC) c";
    co_await db->query_params(declare, filter.params);
    std::string fetch = "FETCH " + std::to_string(kFetchRows) + " FROM pgtrail_export";
    auto first = co_await db->query(fetch);  // errors in the filters' values surface here, before any byte is sent

    http::response<http::empty_body> head{http::status::ok, http_version};
    for (const auto &[name, value] : headers) head.set(name, value);
    bool csv = format == ExportFormat::csv;
    head.set(http::field::content_type, csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
    head.set(http::field::content_disposition, csv ? "attachment; filename=\"changes.csv\"" : "attachment; filename=\"changes.ndjson\"");
    head.chunked(true);
    head.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{head};
    co_await http::async_write_header(stream, serializer, asio::use_awaitable);

    try {
        co_await stream_rows(*db, format, first, fetch, stream);
    } catch (const std::exception &error) {
        // The status is sent: the only way to say "cut" is to close without the last chunk.
        log::warn(std::string("ui: export cut: ") + error.what());
        boost::system::error_code ignored;
        stream.socket().close(ignored);
    }
}

}  // namespace pgtrail::ui
