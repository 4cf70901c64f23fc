// Catalog queries of the decoders.
#include "stream/catalog_answers.h"

#include <optional>
#include <vector>

namespace pgtrail {

asio::awaitable<void> CatalogAnswers::answer(Decoder &decoder, std::string first) {
    for (std::optional<std::string> sql = std::move(first); sql; sql = decoder.catalog_query()) {
        if (!open_) {
            std::vector<std::pair<std::string, std::string>> params{{"application_name", "pgtrail catalog " + config_.slot}};
            co_await conn_.connect(config_.source, params);
            open_ = true;
        }
        PgResult result = co_await conn_.query(*sql);
        std::vector<std::string> rows;
        for (int i = 0; result && i < PQntuples(result.get()); i++) rows.emplace_back(PQgetvalue(result.get(), i, 0));
        decoder.on_catalog_rows(rows);
    }
}

}  // namespace pgtrail
