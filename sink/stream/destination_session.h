// One path for opening a writing connection to the destination, shared by `run`'s writer
// (stream/session.cpp, on the event loop) and `snapshot`'s loader (history/snapshot/, blocking):
// the same libpq parameters, the same encoding check, the same session settings
// (stream/destination_rules.h) and the same words when the connection fails.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "config.h"
#include "pg/pg_connection.h"

namespace pgtrail {

/// libpq parameters added to --destination (client_encoding UTF8 is added to every connection, pg/):
/// application_name, and client TCP keepalives and a user timeout unless the connection string sets them.
std::vector<std::pair<std::string, std::string>> destination_connect_params(const ConnParams &destination,
                                                                            const std::string &application_name);

/// "cannot connect to the destination (host=...): why" (or "cannot log in ..."), never the password.
std::string destination_connect_failure(const ConnParams &destination, const PgError &error);
/// True when retrying cannot help: authentication, pg_hba.conf, a missing database or role.
bool connect_failure_is_final(const PgError &error);

/// Throws FatalError when the destination's encoding cannot hold the source's text (both live connections).
void check_destination_encoding(PGconn *source, PGconn *destination);

/// A query on the destination: is the source backend pid one of its cluster's (the same server)?
std::string same_cluster_query(int source_backend_pid);

}  // namespace pgtrail
