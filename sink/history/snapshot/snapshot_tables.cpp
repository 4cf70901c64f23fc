// Which tables the snapshot reads: those pgtrail run tracks, leaf partitions one by one under their
// root's name, each with the key the plugin reports.
#include "history/snapshot/snapshot.h"

#include "ops/tracked_tables.h"
#include "pg/quote.h"
#include "stream/server_setup.h"

namespace pgtrail {

std::vector<SourceTable> Snapshot::list_tables() {
    auto publications = split_list(config_.publication);
    check_publications_exist(publications);
    // A --destination can be the source database under another user: its changes table is pgtrail's then.
    bool in_source = config_.destination_is_source ||
                     dest_->value("SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = " + reader_->value("SELECT pg_backend_pid()") +
                                  " AND datname = current_database()) AND EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = " +
                                  dest_->literal(config_.slot) + " AND database = current_database())") == "t";
    std::string changes = in_source ? table_.schema + "." + table_.table : "";
    std::vector<SourceTable> out;
    for (const TrackedTable &t : tracked_tables(*reader_, publications, config_, changes)) {
        if (t.partitioned) continue;  // its leaf partitions are listed and read one by one
        std::string rel = reader_->literal(t.name) + "::regclass";
        std::string root = "coalesce(pg_partition_root(" + rel + "), " + rel + ")";
        auto info = reader_->rows("SELECT rn.nspname, r.relname, greatest(c.reltuples, -1)::bigint, c.relispartition FROM pg_class c "
                                  "JOIN pg_class r ON r.oid = " + root + " JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE c.oid = " + rel);
        if (info.empty()) continue;
        out.push_back({t.qualified, info[0][0], info[0][1], key_columns(root), std::stoll(info[0][2]), info[0][3] == "t"});
    }
    return out;
}

void Snapshot::check_publications_exist(const std::vector<std::string> &publications) {
    if (publications.empty()) return;
    std::string missing = reader_->value("SELECT string_agg(name, ', ') FROM unnest(" + sql_text_array(*reader_, publications) +
                                         ") AS name WHERE NOT EXISTS (SELECT FROM pg_publication WHERE pubname = name)");
    if (!missing.empty())
        throw FatalError("publication " + missing + " does not exist in database " + database_ + "; run: CREATE PUBLICATION " + missing + " FOR ALL TABLES; (or FOR TABLE ...)");
}

/// The key columns of root (SQL for its oid): the replica identity index, else the primary key.
std::vector<std::string> Snapshot::key_columns(const std::string &root) {
    std::vector<std::string> columns;
    for (const auto &row : reader_->rows(
             "SELECT a.attname FROM (SELECT i.indkey, i.indnkeyatts FROM pg_index i WHERE i.indrelid = " + root +
             " AND (i.indisprimary OR i.indisreplident) ORDER BY i.indisreplident DESC, i.indisprimary DESC LIMIT 1) i "
             "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) "
             "JOIN pg_attribute a ON a.attrelid = " + root + " AND a.attnum = k.attnum WHERE k.n <= i.indnkeyatts ORDER BY k.n"))
        columns.push_back(row[0]);
    return columns;
}

}  // namespace pgtrail
