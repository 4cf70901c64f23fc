// Row-by-row storage of a batch the destination refused.
#include "stream/poison_writer.h"

#include <algorithm>

#include "json_escape.h"
#include "log.h"
#include "ops/metrics.h"
#include "pg/copy_text.h"
#include "stream/server_setup.h"

namespace pgtrail {

namespace {

const std::string kSavepoint = "SAVEPOINT pgtrail_poison";
const std::string kRelease = "RELEASE SAVEPOINT pgtrail_poison";
const std::string kRollback = "ROLLBACK TO SAVEPOINT pgtrail_poison";
const std::string kProbe = "SELECT $1::jsonb IS NULL";

/// "public.t at 0/16B3F20 (commit_lsn 0/16B4000, ordinal 3)": names the change, never its values.
std::string describe_change(const CopyRow &row) {
    auto lsn_of = [](const std::string &decimal) {
        char buf[24];
        std::uint64_t value = std::strtoull(decimal.c_str(), nullptr, 10);
        return std::string(buf, format_lsn(value, buf));
    };
    return row.fields[CopyRow::kOperation] + " of " + copy_unescape(row.fields[CopyRow::kSchema]) + "." +
           copy_unescape(row.fields[CopyRow::kTable]) + " at " + lsn_of(row.fields[CopyRow::kPosition]) + " (commit_lsn " +
           lsn_of(row.fields[CopyRow::kCommitLsn]) + ", ordinal " + row.fields[CopyRow::kOrdinal] + ")";
}

}  // namespace

PoisonWriter::PoisonWriter(PgConnection &conn, std::string copy_sql) : conn_(conn), copy_sql_(std::move(copy_sql)) {}

asio::awaitable<void> PoisonWriter::write(std::string_view rows) {
    if (rows.empty()) co_return;
    bool stored = co_await try_copy(rows);
    if (stored) co_return;
    std::vector<std::string_view> lines = copy_rows(rows);
    if (lines.size() > 1) {
        // Halve at a row boundary: the refused rows end up alone, the others go in big pieces.
        std::size_t half = 0;
        for (std::size_t i = 0; i < lines.size() / 2; i++) half += lines[i].size();
        std::string_view first = rows.substr(0, half), second = rows.substr(half);
        co_await write(first);
        co_await write(second);
        co_return;
    }
    std::string repaired = co_await repair(rows);
    bool repaired_stored = co_await try_copy(repaired);
    if (!repaired_stored) {
        auto row = split_copy_row(repaired);
        throw FatalError("the destination refuses the change " + (row ? describe_change(*row) : std::string("(unreadable row)")) +
                         " even with every value jsonb refuses replaced; see docs/SINK.md, \"Changes the destination refuses\"");
    }
}

asio::awaitable<std::optional<std::string>> PoisonWriter::under_savepoint(const std::string &sql,
                                                                         const std::vector<std::string> &params) {
    co_await conn_.query(kSavepoint);
    std::optional<std::string> refused;
    try {
        co_await conn_.query_params(sql, params);
    } catch (const PgError &error) {
        if (!is_data_error(error.sqlstate)) throw;
        refused = error.sqlstate;
    }
    const std::string &end = refused ? kRollback : kRelease;
    co_await conn_.query(end);
    co_return refused;
}

asio::awaitable<bool> PoisonWriter::try_copy(std::string_view rows) {
    std::string start = kSavepoint + "; " + copy_sql_;
    co_await conn_.query(start);
    bool refused = false;
    try {
        co_await conn_.put_copy_data(rows);
        co_await conn_.put_copy_end();
    } catch (const PgError &error) {
        if (!is_data_error(error.sqlstate)) throw;
        refused = true;
    }
    const std::string &end = refused ? kRollback : kRelease;
    co_await conn_.query(end);
    co_return !refused;
}

asio::awaitable<std::optional<std::string>> PoisonWriter::jsonb_refusal(const std::string &json) {
    std::vector<std::string> params{json};
    co_return co_await under_savepoint(kProbe, params);
}

asio::awaitable<std::string> PoisonWriter::repair(std::string_view line) {
    auto row = split_copy_row(line);
    if (!row) throw FatalError("a COPY row of the changes table does not have 16 fields (a bug in the sink)");
    std::vector<std::string> lossy = parse_lossy_field(row->fields[CopyRow::kLossy]);
    bool flagged_before = !lossy.empty();
    std::string notes;
    co_await repair_image(row->fields[CopyRow::kBefore], lossy, notes);
    co_await repair_image(row->fields[CopyRow::kAfter], lossy, notes);
    row->fields[CopyRow::kLossy] = lossy_field(lossy);
    if (notes.empty()) notes = "no value jsonb refuses alone";
    std::string columns;
    for (const auto &name : lossy) columns += (columns.empty() ? "" : ", ") + name;
    log::warn("the destination refused the change " + describe_change(*row) + "; stored with " + notes +
              "; columns listed in lossy: " + columns);
    metrics().pending_refused_changes++;
    if (!flagged_before && !lossy.empty()) metrics().pending_lossy_changes++;
    co_return join_copy_row(*row);
}

asio::awaitable<void> PoisonWriter::repair_image(std::string &field, std::vector<std::string> &lossy, std::string &notes) {
    if (field == "\\N") co_return;
    std::string json = copy_unescape(field);
    auto refused = co_await jsonb_refusal(json);
    if (!refused) co_return;
    auto columns = split_image(json);
    if (!columns) throw FatalError("a row image the destination refuses (SQLSTATE " + *refused + ") does not parse as a JSON object");
    for (auto &column : *columns) {
        auto state = co_await jsonb_refusal(column.value);
        if (!state) continue;
        std::size_t bytes = column.value.size();
        std::string text = json_text_as_string(column.value);
        auto text_state = co_await jsonb_refusal(text);
        if (text_state) text = omitted_placeholder(bytes, "jsonb refused it (SQLSTATE " + *state + ")");
        notes += (notes.empty() ? "" : ", ") + column.name + " (" + std::to_string(bytes) + " bytes, SQLSTATE " + *state +
                 (text_state ? ", placeholder)" : ", as its text)");
        column.value = std::move(text);
        add_once(lossy, column.name);
    }
    // Each value fits but not all together (jsonb's limit per object): the largest give way.
    std::string rebuilt = join_image(*columns);
    for (;;) {
        auto whole = co_await jsonb_refusal(rebuilt);
        if (!whole) break;
        auto largest = std::max_element(columns->begin(), columns->end(), [](const ImageColumn &a, const ImageColumn &b) {
            return (is_placeholder(a.value) ? 0 : a.value.size()) < (is_placeholder(b.value) ? 0 : b.value.size());
        });
        if (largest == columns->end() || is_placeholder(largest->value)) break;  // nothing left to give: written as refused
        notes += (notes.empty() ? "" : ", ") + largest->name + " (" + std::to_string(largest->value.size()) +
                 " bytes, SQLSTATE " + *whole + " for the whole image, placeholder)";
        largest->value = omitted_placeholder(largest->value.size(), "the row's jsonb would exceed its limit (SQLSTATE " + *whole + ")");
        add_once(lossy, largest->name);
        rebuilt = join_image(*columns);
    }
    field.clear();
    append_copy_escaped_json(field, rebuilt);
}

}  // namespace pgtrail
