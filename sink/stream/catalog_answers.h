// Answers a decoder's catalog queries (decode/events.h, Decoder::catalog_query) on a plain
// connection to the source, opened when first needed. Shared by the run session and the
// NATS reader.
#pragma once

#include <string>

#include "config.h"
#include "decode/events.h"
#include "pg/pg_connection.h"

namespace pgtrail {

class CatalogAnswers {
public:
    CatalogAnswers(asio::any_io_executor executor, const RunConfig &config) : conn_(executor), config_(config) {}
    /// Runs `first`, the decoder's query just taken, then the decoder's next ones until it has none.
    asio::awaitable<void> answer(Decoder &decoder, std::string first);
    void cancel() { conn_.cancel(); }

private:
    PgConnection conn_;
    const RunConfig &config_;
    bool open_ = false;
};

}  // namespace pgtrail
