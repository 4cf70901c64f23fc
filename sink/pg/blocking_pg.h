// A plain blocking libpq connection for the one-shot commands (check, setup, teardown):
// they run a few statements in order and exit, so no event loop is needed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.h"
#include "pg/pg_connection.h"

namespace pgtrail {

class BlockingPg {
public:
    /// Connects (connect_timeout 10 s unless given); throws PgError when it cannot.
    BlockingPg(const ConnParams &conn, const std::vector<std::pair<std::string, std::string>> &extra = {});

    /// Runs one or more statements; returns the last result. Throws PgError on failure.
    PgResult exec(std::string_view sql);
    /// The first column of the first row ("" when none or NULL).
    std::string value(std::string_view sql);
    /// Every row's columns as text (NULL as "").
    std::vector<std::vector<std::string>> rows(std::string_view sql);

    /// 'value' and "name" quoted by libpq for this connection (pg/quote.h).
    std::string literal(std::string_view value) const;
    std::string ident(std::string_view name) const;

    PGconn *get() const { return conn_.get(); }
    std::string user() const;
    /// "host:port/dbname as user" of the live connection.
    std::string describe() const;

private:
    std::unique_ptr<PGconn, ConnDeleter> conn_;
};

}  // namespace pgtrail
