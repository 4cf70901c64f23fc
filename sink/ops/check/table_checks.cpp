// The tables: the publications exist and hold tables; each tracked table has REPLICA IDENTITY FULL.
#include "ops/check/checks.h"

#include "ops/tracked_tables.h"
#include "pg/quote.h"
#include "schema/schema.h"

namespace pgtrail {

namespace {

constexpr std::size_t kMaxTableLines = 20;  // replica identity warnings listed one by one

void check_publication(CheckContext &c, const std::string &name) {
    auto rows = c.source.rows("SELECT p.puballtables, "
                              "(SELECT count(*) FROM pg_publication_tables t WHERE t.pubname = p.pubname), "
                              "(SELECT string_agg(format('%I.%I', t.schemaname, t.tablename), ', ' ORDER BY 1) FROM "
                              "(SELECT * FROM pg_publication_tables t WHERE t.pubname = p.pubname LIMIT 10) t) "
                              "FROM pg_publication p WHERE p.pubname = " + c.source.literal(name));
    if (rows.empty()) {
        c.report.fail("publication", "publication " + name + " does not exist",
                      std::string("pgtrail setup") + (name == "pgtrail" ? "" : " --publication " + name) + " (or CREATE PUBLICATION " +
                          c.source.ident(name) + " FOR ALL TABLES" + (c.plugin == "pgoutput" ? " WITH (publish_via_partition_root = true)" : "") + ";)");
        return;
    }
    // The plugin filters by membership only; the publication's actions do not matter to it.
    int count = std::stoi(rows[0][1]);
    std::string text = "publication " + name + ": " + (rows[0][0] == "t" ? "all tables" : std::to_string(count) + " tables") +
                       (count > 0 ? " (" + rows[0][2] + (count > 10 ? ", ..." : "") + ")" : "");
    if (count == 0)
        c.report.warn("publication", text + ": nothing to track", "ALTER PUBLICATION " + c.source.ident(name) + " ADD TABLE <table>;");
    else
        c.report.ok("publication", text);
}

void check_publications(CheckContext &c, const std::vector<std::string> &publications) {
    if (publications.empty()) {
        c.report.ok("publication", "none given (--publication): every table is tracked" +
                                       std::string(c.config.include_tables.empty() ? "" : ", filtered by --include-tables"));
        return;
    }
    for (const auto &name : publications) check_publication(c, name);
}

/// Why a table without REPLICA IDENTITY FULL lacks full before images.
std::string replica_identity_problem(const TrackedTable &t) {
    if (t.replident == 'n') return "REPLICA IDENTITY NOTHING: no before image and no key for UPDATE and DELETE";
    if (t.replident == 'i') return "REPLICA IDENTITY USING INDEX: before holds only the key columns";
    if (t.has_primary_key) return "REPLICA IDENTITY DEFAULT: before holds only the primary key, and only when it changed";
    return "no primary key and REPLICA IDENTITY DEFAULT: UPDATE and DELETE have no before image and no key"
           " (and fail outright while the table is in a publication)";
}

void check_replica_identity(CheckContext &c, const std::vector<std::string> &publications) {
    // The changes table is not tracked when it lives in the source.
    std::string changes = c.config.destination_is_source ? qualified(parse_table_name(c.config.changes_table)) : "";
    std::vector<TrackedTable> tables = tracked_tables(c.source, publications, c.config, changes);
    std::size_t full = 0, listed = 0, others = 0;
    for (const auto &t : tables) {
        if (t.partitioned) continue;  // rows live in the partitions: their identity counts
        if (t.replident == 'f')
            full++;
        else if (listed++ < kMaxTableLines)
            c.report.warn("replica identity", t.qualified + ": " + replica_identity_problem(t), "ALTER TABLE " + t.qualified + " REPLICA IDENTITY FULL;");
        else
            others++;
    }
    if (others > 0)
        c.report.warn("replica identity", std::to_string(others) + " more tables without REPLICA IDENTITY FULL",
                      "pgtrail setup (sets REPLICA IDENTITY FULL on every tracked table)");
    if (tables.empty())
        c.report.warn("tracked tables", "no table is tracked yet");
    else
        c.report.ok("tracked tables", std::to_string(tables.size()) + " tables tracked, " + std::to_string(full) +
                                          " with REPLICA IDENTITY FULL (full before images)");
}

}  // namespace

void check_tables(CheckContext &c) {
    // pgoutput decodes only the tables of a publication: without --publication, setup's pgtrail.
    std::vector<std::string> publications =
        split_list(c.plugin == "pgoutput" ? c.config.pgoutput_publications() : c.config.publication);
    check_publications(c, publications);
    if (!c.report.failed("publication")) check_replica_identity(c, publications);
}

}  // namespace pgtrail
