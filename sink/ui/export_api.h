// GET /api/export.csv and /api/export.ndjson: the filtered set (change_filter.h), newest first,
// streamed as a chunked response from a server-side cursor, a page of rows at a time: the
// export's size is not bounded by memory.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "ui/api.h"

namespace pgtrail::ui {

enum class ExportFormat { csv, ndjson };

/// Checks the filters (throws BadRequest before anything is sent), then streams the response with
/// the given extra headers. A failure after the first byte closes the connection (the chunked
/// body then ends without its last chunk, so the client sees a cut export, never a short one).
boost::asio::awaitable<void> stream_export(ApiContext &api, const Target &target, ExportFormat format,
                                           boost::beast::tcp_stream &stream, unsigned http_version,
                                           const std::vector<std::pair<std::string, std::string>> &headers);

}  // namespace pgtrail::ui
