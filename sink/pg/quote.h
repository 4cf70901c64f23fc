// Quoting through libpq (PQescapeIdentifier, PQescapeLiteral): correct for the connection's
// encoding and standard_conforming_strings, unlike quote doubling by hand.
#pragma once

#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "schema/schema.h"

namespace pgtrail {

/// "name" quoted for SQL on this connection. Throws PgError when libpq refuses (bad encoding).
std::string quote_identifier(PGconn *conn, std::string_view name);
/// 'value' (or E'...') quoted for SQL on this connection. Throws PgError when libpq refuses.
std::string quote_literal(PGconn *conn, std::string_view value);
/// Both, for generated SQL (schema/).
SqlQuoting sql_quoting(PGconn *conn);

}  // namespace pgtrail
