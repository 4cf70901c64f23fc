// Each table's rows, read with COPY TO STDOUT under the exported snapshot and written line by line
// with COPY FROM STDIN as SNAPSHOT rows; then the commit that sets the origin to the consistent point.
#include "history/snapshot/snapshot.h"

#include <climits>

#include "column_policy.h"
#include "pg/copy_text.h"
#include "pg/quote.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

void trim_message(std::string &message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
}

/// The key as the sink renders it: the single key column's text (numbers as the type prints them),
/// or the compact JSON array of the values; NULL for tables without a key.
std::string key_expression(const BlockingPg &conn, const std::vector<std::string> &columns) {
    auto image = [&conn](const std::string &c) { return "pgtrail_l.pgtrail_j -> " + conn.literal(c); };
    auto number = [&conn](const std::string &c) { return "pgtrail_t." + conn.ident(c) + "::text"; };
    if (columns.empty()) return "NULL::text";
    if (columns.size() == 1)
        return "CASE jsonb_typeof(" + image(columns[0]) + ") WHEN 'number' THEN " + number(columns[0]) +
               " ELSE pgtrail_l.pgtrail_j ->> " + conn.literal(columns[0]) + " END";
    std::string out = "'[' || ";
    for (std::size_t i = 0; i < columns.size(); i++)
        out += (i ? " || ',' || " : "") + std::string("CASE jsonb_typeof(") + image(columns[i]) + ") WHEN 'number' THEN " +
               number(columns[i]) + " ELSE coalesce((" + image(columns[i]) + ")::text, 'null') END";
    return out + " || ']'";
}

/// Starts a COPY on conn and checks that the server entered the expected COPY state.
void start_copy(BlockingPg &conn, const std::string &sql, ExecStatusType expected) {
    if (!PQsendQuery(conn.get(), sql.c_str())) throw PgError(PQerrorMessage(conn.get()), "");
    PgResult result{PQgetResult(conn.get())};
    if (result && PQresultStatus(result.get()) == expected) return;
    std::string message = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn.get());
    const char *state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    while (PgResult rest{PQgetResult(conn.get())}) {}
    trim_message(message);
    throw PgError(message, state ? state : "");
}

/// After a COPY: every remaining result must be a success.
void finish_copy(BlockingPg &conn) {
    std::string error;
    while (PgResult result{PQgetResult(conn.get())}) {
        if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && error.empty()) error = PQresultErrorMessage(result.get());
    }
    trim_message(error);
    if (!error.empty()) throw PgError(error, "");
}

}  // namespace

void Snapshot::copy_tables(const std::vector<SourceTable> &tables, SnapshotProgress &progress) {
    for (const auto &t : tables) {
        check_interrupt();
        std::string name = t.schema + "." + t.table;
        if (t.partition) name += " (partition " + t.read_name + ")";
        progress.start_table(name, t.estimate);
        copy_table(t, progress);
        progress.finish_table();
    }
}

void Snapshot::copy_table(const SourceTable &table, SnapshotProgress &progress) {
    // What follows the key and the row image on each line: the columns every row of the table shares.
    std::string suffix = "\t";
    append_copy_escaped(suffix, database_);
    suffix += '\t';
    append_copy_escaped(suffix, table.schema);
    suffix += '\t';
    append_copy_escaped(suffix, table.table);
    std::string lsn = std::to_string(consistent_lsn_);
    suffix += "\tSNAPSHOT\t" + committed_at_ + "\t" + queued_at_ + "\t0\t" + lsn + "\t" + lsn + "\t";
    start_copy(*dest_, "COPY " + quoted(table_, sql_quoting(dest_->get())) + " (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, "
                       "transaction_id, position, commit_lsn, ordinal) FROM STDIN", PGRES_COPY_IN);
    SnapshotRedaction redaction = redaction_plan(table);
    std::string key_sql = redaction.key_columns.empty() ? key_expression(*reader_, table.key_columns) : "NULL::text";
    std::string image_sql = "pgtrail_l.pgtrail_j";
    if (!redaction.empty()) {
        std::vector<std::string> literals, idents, key_idents;
        for (const auto &c : redaction.columns) literals.push_back(reader_->literal(c)), idents.push_back(reader_->ident(c));
        for (const auto &c : redaction.key_columns) key_idents.push_back(reader_->ident(c));
        image_sql = redacted_select_list(image_sql, "pgtrail_t", literals, idents, key_idents);
    }
    start_copy(*reader_, "COPY (SELECT " + key_sql + ", " + image_sql + " FROM ONLY " + table.read_name +
                             " AS pgtrail_t CROSS JOIN LATERAL (SELECT to_jsonb(pgtrail_t.*) AS pgtrail_j) AS pgtrail_l) TO STDOUT",
               PGRES_COPY_OUT);
    copy_rows(table, suffix, redaction, progress);
    try {
        finish_copy(*reader_);
    } catch (const PgError &error) {
        throw FatalError("cannot read " + table.read_name + ": " + error.what());
    }
    if (PQputCopyEnd(dest_->get(), nullptr) != 1) throw PgError(std::string("writing the baseline: ") + PQerrorMessage(dest_->get()), "");
    finish_copy(*dest_);
}

SnapshotRedaction Snapshot::redaction_plan(const SourceTable &table) {
    SnapshotRedaction plan;
    if (config_.redact.empty()) return plan;
    std::vector<ColumnPattern> patterns = parse_column_patterns(config_.redact);
    // The columns of the table read (a partition has its root's names), in column order.
    auto columns = reader_->rows("SELECT attname FROM pg_attribute WHERE attrelid = " + reader_->literal(table.read_name) +
                                 "::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
    for (const auto &row : columns)
        if (any_column_matches(patterns, table.schema, table.table, row[0])) plan.columns.push_back(row[0]);
    for (const auto &key : table.key_columns)
        for (const auto &c : plan.columns)
            if (c == key) plan.key_columns = table.key_columns;
    return plan;
}

void Snapshot::copy_rows(const SourceTable &table, const std::string &suffix, const SnapshotRedaction &redaction, SnapshotProgress &progress) {
    std::string line;
    for (;;) {
        char *raw = nullptr;
        int len = PQgetCopyData(reader_->get(), &raw, 0);
        CopyBuffer buffer(raw);
        if (len == -1) break;
        if (len < 0) throw PgError(std::string("reading ") + table.read_name + ": " + PQerrorMessage(reader_->get()), "");
        if (ordinal_ > INT_MAX) throw FatalError("more than 2,147,483,648 rows: the snapshot's ordinals (integer) would overflow");
        line.assign(raw, len > 0 && raw[len - 1] == '\n' ? len - 1 : len);
        if (!redaction.empty()) redact_snapshot_line(line, redaction, redactor_);
        line += suffix;
        line += std::to_string(ordinal_++);
        line += '\n';
        if (PQputCopyData(dest_->get(), line.data(), static_cast<int>(line.size())) != 1)
            throw PgError(std::string("writing the baseline: ") + PQerrorMessage(dest_->get()), "");
        progress.row();
        check_interrupt();
    }
}

void Snapshot::commit() {
    dest_->exec(progress_record_sql(progress_, config_.origin_name(), consistent_point_, committed_at_, sql_quoting(dest_->get())));
    committing_ = true;
    dest_->exec("COMMIT");
    committing_ = false;
    reader_->exec("COMMIT");
}

}  // namespace pgtrail
