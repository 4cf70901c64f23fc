// The initial snapshot's steps, one file per phase: snapshot_destination.cpp (the changes table, the
// functions, the origin), snapshot_source.cpp (the slot with its exported snapshot, the reader),
// snapshot_tables.cpp (which tables, with their keys), snapshot_copy.cpp (each table's rows into the
// destination, the commit with the origin's progress). history/snapshot_command.cpp runs them.
//
// Three connections: a replication connection creates the slot with an exported snapshot and
// stays open (idle) while it is in use; a reader imports it (REPEATABLE READ) and streams each
// table with COPY TO STDOUT; the destination receives the rows with COPY FROM STDIN, all in one
// transaction that ends with pg_replication_origin_xact_setup(consistent point), so the baseline
// and the origin's progress commit together. Rows are passed through line by line: no table is
// ever held in memory.
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "history/snapshot/snapshot_redaction.h"
#include "history/snapshot_progress.h"
#include "pg/blocking_pg.h"
#include "schema/progress.h"
#include "schema/schema.h"

namespace pgtrail {

/// One table to read: a plain table or a leaf partition, recorded under its root's name.
struct SourceTable {
    std::string read_name;                 ///< "schema"."table" of the table read (FROM ONLY)
    std::string schema, table;             ///< as the changes table records it (the partition root)
    std::vector<std::string> key_columns;  ///< the root's key, as the plugin reports it
    std::int64_t estimate = -1;            ///< pg_class.reltuples (-1: never analyzed)
    bool partition = false;                ///< a leaf partition of schema.table
};

class Snapshot {
public:
    /// for_run: `pgtrail run --snapshot` (a tracked slot is not an error); interrupted: set by SIGINT/SIGTERM.
    Snapshot(const RunConfig &config, bool for_run, const volatile std::sig_atomic_t &interrupted)
        : config_(config), for_run_(for_run), interrupted_(interrupted), redactor_(config.redact_hash ? config.redact_key : std::string()) {}
    /// Exit status: 0 when the baseline is recorded (or, for run, not needed), 1 otherwise.
    int run();

private:
    // snapshot_destination.cpp
    void prepare_destination();
    void install_time_travel();
    void prepare_origin();
    // snapshot_source.cpp
    /// False when there is nothing to do (run --snapshot on a slot already tracked).
    bool prepare_source();
    void refuse_existing_slot_or_origin(bool slot_exists);
    void hold_origin();
    void create_slot();
    void open_reader();
    void drop_slot_after_failure();
    // snapshot_tables.cpp
    std::vector<SourceTable> list_tables();
    void check_publications_exist(const std::vector<std::string> &publications);
    std::vector<std::string> key_columns(const std::string &root);
    // snapshot_copy.cpp
    void copy_tables(const std::vector<SourceTable> &tables, SnapshotProgress &progress);
    void copy_table(const SourceTable &table, SnapshotProgress &progress);
    void copy_rows(const SourceTable &table, const std::string &suffix, const SnapshotRedaction &redaction, SnapshotProgress &progress);
    /// The table's columns --redact names (matched on the name the changes table records).
    SnapshotRedaction redaction_plan(const SourceTable &table);
    void commit();

    void check_interrupt() const;

    const RunConfig &config_;
    bool for_run_;
    const volatile std::sig_atomic_t &interrupted_;
    std::unique_ptr<BlockingPg> dest_, repl_, reader_;
    TableName table_;
    std::string database_;
    ProgressKind progress_ = ProgressKind::origin;  ///< where progress is kept (schema/progress.h)
    std::string origin_progress_;  ///< the progress before the snapshot ("" when none)
    std::string consistent_point_, snapshot_name_;
    std::uint64_t consistent_lsn_ = 0;
    std::string committed_at_, queued_at_;  ///< COPY text timestamps
    std::int64_t ordinal_ = 0;
    bool slot_created_ = false;
    bool committing_ = false;
    ValueRedactor redactor_;
};

}  // namespace pgtrail
