// Source identity and gaps.
#include "stream/source_identity.h"

#include "json_escape.h"
#include "log.h"
#include "pg/quote.h"
#include "pg/replication_stream.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

std::string lsn_text(std::uint64_t lsn) {
    char buf[24];
    return std::string(buf, format_lsn(lsn, buf));
}

asio::awaitable<std::optional<RecordedSource>> read_recorded(PgConnection &dest, const std::string &origin) {
    PgResult row = co_await dest.query("SELECT system_identifier, database, slot, slot_created_lsn FROM pgtrail.sources WHERE origin = " +
                                       quote_literal(dest.get(), origin));
    if (PQntuples(row.get()) == 0) co_return std::nullopt;
    co_return RecordedSource{cell(row, 0, 0), cell(row, 0, 1), cell(row, 0, 2), cell(row, 0, 3)};
}

/// The destination's progress for the origin before this session takes it (0: none).
asio::awaitable<std::uint64_t> recorded_progress(PgConnection &dest, ProgressKind kind, const std::string &origin) {
    PgResult read = co_await dest.query(progress_read_sql(kind, origin, sql_quoting(dest.get())));
    std::string text = cell(read, 0, 0);
    std::uint64_t lsn = 0;
    if (!text.empty()) parse_lsn(text.data(), text.size(), &lsn);
    co_return lsn;
}

/// The statement moving the progress to where recording resumes after an accepted gap.
std::string progress_move_sql(PgConnection &dest, ProgressKind kind, const std::string &origin, const std::string &resume) {
    if (kind == ProgressKind::origin)
        return "SELECT pg_replication_origin_advance(" + quote_literal(dest.get(), origin) + ", " + quote_literal(dest.get(), resume) +
               "::pg_lsn)";
    return progress_record_sql(kind, origin, resume, "now", sql_quoting(dest.get()));
}

}  // namespace

std::string gap_reason(const SourceIdentity &source, const std::optional<RecordedSource> &recorded, std::uint64_t progress,
                       const std::string &slot) {
    if (recorded && (recorded->system_identifier != source.system_identifier || recorded->database != source.database))
        return "the destination follows database " + recorded->database + " of source system " + recorded->system_identifier +
               " through slot " + recorded->slot + ", but this source is database " + source.database + " of system " +
               source.system_identifier;
    if (!source.slot_exists && (progress > 0 || recorded))
        return "replication slot " + slot + " does not exist in database " + source.database +
               " although the destination holds changes from it" + (progress > 0 ? " up to " + lsn_text(progress) : std::string()) +
               ": it was dropped (or the source was restored or failed over without it), and the changes made while it was missing were never decoded";
    return "";
}

asio::awaitable<void> verify_source(PgConnection &repl, PgConnection &dest, const RunConfig &config, ProgressKind kind,
                                    SourceInfo &source) {
    const std::string origin = config.origin_name();
    std::uint64_t progress = co_await recorded_progress(dest, kind, origin);
    std::optional<RecordedSource> recorded = co_await read_recorded(dest, origin);
    SourceIdentity identity{source.system_identifier, source.database, source.slot_exists};
    std::string reason = gap_reason(identity, recorded, progress, config.slot);
    if (!reason.empty() && !config.accept_gap)
        throw FatalError(reason + "; pgtrail does not resume over a gap. Point --source, --destination or --slot at the right ones; "
                         "or, to record from now on and note the gap (its LSN range) in pgtrail.gaps, run: pgtrail run --accept-gap");
    std::string created_at;
    if (!source.slot_exists) {
        CreatedSlot slot = co_await create_slot(repl, config, source.database);
        source.plugin = slot.plugin;
        source.slot_exists = true;
        created_at = slot.consistent_point;
    }
    auto literal = [&](const std::string &value) { return value.empty() ? std::string("NULL") : quote_literal(dest.get(), value); };
    std::string record = "INSERT INTO pgtrail.sources AS s (origin, system_identifier, database, slot, slot_created_lsn) VALUES (" +
                         literal(origin) + ", " + literal(source.system_identifier) + ", " + literal(source.database) + ", " +
                         literal(config.slot) + ", " + literal(created_at) + "::pg_lsn) ON CONFLICT (origin) DO UPDATE SET "
                         "system_identifier = excluded.system_identifier, database = excluded.database, slot = excluded.slot, "
                         "slot_created_lsn = coalesce(excluded.slot_created_lsn, s.slot_created_lsn), recorded_at = now()";
    if (reason.empty()) {
        if (!recorded || !created_at.empty()) co_await dest.query(record);
        co_return;
    }
    // --accept-gap: resume where the slot is, and say which range was not seen.
    PgResult slot = co_await repl.query("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = " +
                                        quote_literal(repl.get(), config.slot));
    std::string resume = cell(slot, 0, 0);
    if (resume.empty()) resume = created_at;
    // Built before the co_await: g++ 12 mishandles conditional temporaries inside co_await expressions.
    std::string from = progress > 0 ? lsn_text(progress) : std::string();
    std::string accept = "BEGIN; INSERT INTO pgtrail.gaps (origin, slot, system_identifier, database, from_lsn, to_lsn, reason) VALUES (" +
                         literal(origin) + ", " + literal(config.slot) + ", " + literal(source.system_identifier) + ", " +
                         literal(source.database) + ", " + literal(from) + "::pg_lsn, " + literal(resume) + "::pg_lsn, " +
                         literal(reason) + "); " + record + "; " + progress_move_sql(dest, kind, origin, resume) + "; COMMIT";
    std::optional<PgError> refused;
    try {
        co_await dest.query(accept);
    } catch (const PgError &error) {
        if (error.sqlstate != "42501") throw;
        refused = error;
    }
    if (refused)
        throw FatalError(std::string("cannot accept the gap: ") + refused->what() + "; run as a superuser: GRANT EXECUTE ON FUNCTION "
                         "pg_replication_origin_advance(text, pg_lsn) TO " + dest.user() + "; GRANT INSERT ON pgtrail.gaps TO " + dest.user() + ";");
    log::warn("accepted a gap (--accept-gap): " + reason + "; recorded in pgtrail.gaps from " + (from.empty() ? "the start" : from) +
              " to " + resume + ", recording resumes there");
}

}  // namespace pgtrail
