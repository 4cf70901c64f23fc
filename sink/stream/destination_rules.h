// What every writing session on the destination must be, as pure decisions (unit-tested):
// which encodings can hold the source's text, whether synchronous_standby_names waits for the
// sink's own walsender, and the settings a writing session runs with. stream/destination_session
// applies them for run's writer and snapshot's loader alike.
#pragma once

#include <string>
#include <string_view>

namespace pgtrail {

/// Why a destination database with server_encoding destination cannot hold every text of a source
/// with server_encoding source, with the fix; "" when it can (UTF8, or the source's own encoding).
std::string encoding_refusal(std::string_view source, std::string_view destination);

/// True when synchronous_standby_names (as the server holds it: "a, b", "FIRST 2 (a, "B")",
/// "ANY 1 (*)", ...) names application_name (case-insensitive, as PostgreSQL compares) or '*'.
bool synchronous_standby_matches(std::string_view names, std::string_view application_name);

/// The statements a writing destination session runs once: the server side notices a vanished
/// sink (TCP keepalives, user timeout), no statement or idle timeout cuts a long COPY, commits are
/// durable; in_source_cluster: the commit does not wait for synchronous standbys (see the .cpp).
std::string destination_session_sql(bool in_source_cluster);

}  // namespace pgtrail
