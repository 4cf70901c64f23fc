// Failover slots (PostgreSQL 17+): with --failover the slot is created, or altered, with
// failover = true, so a physical standby with sync_replication_slots keeps a copy of it and
// the sink carries on there after a promotion (docs/OPERATIONS.md, "Failover").
#pragma once

#include <string>

#include "config.h"
#include "pg/pg_connection.h"

namespace pgtrail {

/// PostgreSQL's first major with failover slots.
constexpr int kFailoverSlotsVersion = 170000;

/// The option CREATE_REPLICATION_SLOT's option list gets for this config ("FAILOVER true"), or "".
std::string failover_slot_option(const RunConfig &config);

/// With --failover, the one-sentence problem on a server of server_version_num, or "" when it has failover slots.
std::string failover_unsupported(const RunConfig &config, int server_version_num);

/// With --failover, on the replication connection: a FatalError before PostgreSQL 17; call before
/// the slot is created.
asio::awaitable<void> require_failover_slots(PgConnection &repl, const RunConfig &config);

/// With --failover: an existing slot without failover gets it (ALTER_REPLICATION_SLOT).
asio::awaitable<void> make_slot_failover(PgConnection &repl, const RunConfig &config);

}  // namespace pgtrail
