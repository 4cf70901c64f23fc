// libpq's escaping, wrapped.
#include "pg/quote.h"

#include <memory>

#include "pg/pg_connection.h"

namespace pgtrail {

namespace {

std::string checked(PGconn *conn, char *escaped) {
    if (!escaped) throw PgError(std::string("cannot quote for SQL: ") + PQerrorMessage(conn), "22021");
    std::unique_ptr<char, void (*)(void *)> owner(escaped, PQfreemem);
    return escaped;
}

}  // namespace

std::string quote_identifier(PGconn *conn, std::string_view name) {
    return checked(conn, PQescapeIdentifier(conn, name.data(), name.size()));
}

std::string quote_literal(PGconn *conn, std::string_view value) {
    return checked(conn, PQescapeLiteral(conn, value.data(), value.size()));
}

SqlQuoting sql_quoting(PGconn *conn) {
    return {[conn](std::string_view name) { return quote_identifier(conn, name); },
            [conn](std::string_view value) { return quote_literal(conn, value); }};
}

}  // namespace pgtrail
