// Change lines.
#include "nats/change_json.h"

#include "pg/copy_text.h"
#include "stream/change_encoder.h"
#include "stream/primary_key.h"

namespace pgtrail {

namespace {

/// JSON text on one line: a raw line break can only be white space between tokens (inside a
/// string it is escaped), so it becomes a space and the message stays one change per line.
void append_one_line(std::string &out, std::string_view json) {
    std::size_t start = out.size();
    out.append(json);
    if (json.find_first_of("\r\n") == std::string_view::npos) return;
    for (std::size_t i = start; i < out.size(); i++)
        if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
}

void append_image(std::string &out, std::string_view json) {
    if (json.empty()) out.append("null");
    else append_one_line(out, json);
}

}  // namespace

ChangeJson::ChangeJson(std::string_view database) : database_(database) {}

void ChangeJson::begin(const BeginEvent &begin) {
    commit_lsn_ = std::to_string(begin.commit_lsn);
    xid_ = std::to_string(begin.xid);
    committed_at_.clear();
    append_json_string(committed_at_, begin.commit_time);
    context_ = "{}";
    ordinal_ = 0;
}

void ChangeJson::set_context(std::string_view context) { context_.assign(context); }

void ChangeJson::append_head(std::string &out, std::uint64_t lsn, char op, std::string_view schema, std::string_view table,
                             std::string_view queued_at) {
    out.append("{\"commit_lsn\":").append(commit_lsn_);
    out.append(",\"ordinal\":").append(std::to_string(ordinal_++));
    out.append(",\"position\":").append(std::to_string(lsn));
    out.append(",\"transaction_id\":").append(xid_);
    out.append(",\"committed_at\":").append(committed_at_);
    out.append(",\"queued_at\":");
    append_json_string(out, queued_at);
    out.append(",\"operation\":\"").append(operation_name(op)).append("\",\"database\":");
    append_json_string(out, database_);
    out.append(",\"schema\":");
    append_json_string(out, schema);
    out.append(",\"table\":");
    append_json_string(out, table);
}

void ChangeJson::append_names(std::string &out, const std::vector<std::string_view> &names) {
    if (names.empty()) {
        out.append("null");
        return;
    }
    out.push_back('[');
    for (std::size_t i = 0; i < names.size(); i++) {
        if (i > 0) out.push_back(',');
        append_json_string(out, names[i]);
    }
    out.push_back(']');
}

std::uint32_t ChangeJson::add(std::string &out, const RowChangeEvent &change, std::string_view queued_at) {
    std::uint32_t ordinal = ordinal_;
    append_head(out, change.lsn, change.op, change.schema, change.table, queued_at);
    out.append(",\"primary_key\":");
    auto key = render_primary_key(key_values_of(change));
    if (key) append_json_string(out, *key);
    else out.append("null");
    out.append(",\"before\":");
    append_image(out, change.before);
    out.append(",\"after\":");
    append_image(out, change.after);
    out.append(",\"context\":");
    append_one_line(out, context_);
    out.append(",\"unchanged\":");
    append_names(out, change.unchanged);
    out.append(",\"lossy\":");
    append_names(out, change.lossy);
    out.append(",\"moved_from\":");
    auto moved_from = render_moved_from(change);
    if (moved_from) append_json_string(out, *moved_from);
    else out.append("null");
    out.append("}\n");
    return ordinal;
}

std::uint32_t ChangeJson::add(std::string &out, const TruncateEvent &truncate, std::string_view queued_at) {
    std::uint32_t ordinal = ordinal_;
    append_head(out, truncate.lsn, 'T', truncate.schema, truncate.table, queued_at);
    out.append(",\"primary_key\":null,\"before\":null,\"after\":null,\"context\":");
    append_one_line(out, context_);
    out.append(",\"unchanged\":null,\"lossy\":null,\"moved_from\":null}\n");
    return ordinal;
}

}  // namespace pgtrail
