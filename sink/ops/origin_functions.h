// The replication origin functions the destination user must be able to execute: the sink keeps its
// exactly-once progress in a replication origin. check tests these rights; setup grants them.
#pragma once

#include <string>
#include <vector>

namespace pgtrail {

inline const std::vector<std::string> kOriginFunctions = {
    "pg_replication_origin_oid(text)", "pg_replication_origin_create(text)",
    "pg_replication_origin_session_setup(text)", "pg_replication_origin_xact_setup(pg_lsn, timestamptz)",
    "pg_replication_origin_progress(text, boolean)", "pg_replication_origin_advance(text, pg_lsn)"};

}  // namespace pgtrail
