// What `pgtrail run` checks and creates on start: logical decoding is possible, the
// slot, the changes table and the replication origin. Configuration problems become
// FatalError: one sentence and the SQL that fixes it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "config.h"
#include "pg/pg_connection.h"
#include "schema/progress.h"
#include "schema/schema.h"

namespace pgtrail {

/// A problem retrying cannot fix: pgtrail exits non-zero with this message.
struct FatalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SourceInfo {
    std::string database;           ///< the source database's name
    std::string system_identifier;  ///< IDENTIFY_SYSTEM's systemid
    std::uint64_t wal_position = 0;
    bool slot_exists = false;       ///< a missing slot is created by prepare_destination
    std::string plugin;             ///< the slot's output plugin, pgtrail or pgoutput, once it exists
};

/// Turns a connection failure into a FatalError when retrying cannot help (privilege,
/// authentication, missing database); otherwise rethrows it as is.
[[noreturn]] void explain_connect_error(const PgError &error, const PgConnection &conn, const ConnParams &params,
                                       bool replication);

/// START_REPLICATION failed: a FatalError when the plugin cannot load, else rethrown.
[[noreturn]] void explain_start_error(const PgError &error);

/// On the replication connection: IDENTIFY_SYSTEM, wal_level, and the slot when it exists (checked
/// to be ours) with its plugin.
asio::awaitable<SourceInfo> prepare_source(PgConnection &repl, const RunConfig &config);

struct CreatedSlot {
    std::string plugin;            ///< pgtrail or pgoutput
    std::string consistent_point;  ///< where decoding starts ("" when another session created it meanwhile)
};

/// Creates the missing slot with --plugin's choice, where auto is pgtrail when the server allows
/// it (output_plugin_libraries lists it and the library loads: creating the slot is the probe),
/// else pgoutput. Logs which plugin and why.
asio::awaitable<CreatedSlot> create_slot(PgConnection &repl, const RunConfig &config, const std::string &database);

/// Where the destination keeps progress, and how far it is.
struct DestinationProgress {
    ProgressKind kind = ProgressKind::origin;
    std::uint64_t lsn = 0;  ///< end of the last source commit written (0: none)
    /// The destination is the source database (also when reached as another user through
    /// --destination): the changes table and pgtrail's tables must not be tracked.
    bool in_source = false;
};

/// On the destination: the changes table (created when missing); the source checked against the
/// one the destination follows and the slot created when missing (stream/source_identity.h,
/// fills in source.plugin); the progress store — the
/// replication origin (created when missing) set up for this session when the role may use
/// origins, else pgtrail.progress with this slot's advisory lock (schema/progress.h) — taken
/// for this session (ending a dead writer's backend that still holds it when the slot has no
/// walsender); returns where progress is kept and how far it is.
asio::awaitable<DestinationProgress> prepare_destination(PgConnection &repl, PgConnection &dest, const RunConfig &config,
                                                         SourceInfo &source, TableName &table);
/// The changes table alone (pgtrail write): created when missing, migrated to the current
/// schema version; fills in the schema it lives in. FatalError when the role may not.
asio::awaitable<void> prepare_changes_table(PgConnection &dest, TableName &table);
/// application_name of the writer connection (how a stale writer is recognised).
std::string writer_application_name(const RunConfig &config);

}  // namespace pgtrail
