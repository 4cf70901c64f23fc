// COPY rows for the changes table.
#include "change_encoder.h"

#include <cstdio>

#include "copy_text.h"
#include "primary_key.h"

namespace pgtrail {

namespace {

constexpr std::size_t kLsnWidth = 20;
constexpr std::string_view kNull = "\\N";

/// An image, or NULL when absent; returns how many \u0000 escapes were replaced.
std::size_t append_image(std::string &out, std::string_view json) {
    if (json.empty()) {
        out.append(kNull);
        return 0;
    }
    return append_copy_escaped_json(out, json);
}

}  // namespace

std::string_view operation_name(char op) {
    switch (op) {
    case 'I': return "CREATE";
    case 'U': return "UPDATE";
    case 'D': return "DELETE";
    case 'T': return "TRUNCATE";
    default: return "";
    }
}

std::string fixed_width_number(std::int64_t value) {
    char buf[32];
    int len = value < 0 ? std::snprintf(buf, sizeof buf, "-%019lld", -static_cast<long long>(value))
                        : std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(value));
    return std::string(buf, static_cast<std::size_t>(len));
}

ChangeEncoder::ChangeEncoder(std::string_view database, std::size_t xact_buffer_limit)
    : xact_buffer_limit_(xact_buffer_limit) {
    append_copy_escaped(database_, database);
}

void ChangeEncoder::begin(const Record &begin) {
    commit_start_ = begin.lsn;
    xid_ = std::to_string(begin.xid);
    committed_at_.clear();
    append_copy_escaped(committed_at_, begin.ts);
    context_ = "{}";
    ordinal_ = 0;
    streaming_ = false;
    placeholders_.clear();
}

void ChangeEncoder::set_context(std::string_view context) {
    context_.clear();
    append_copy_escaped(context_, context);
}

void ChangeEncoder::add(const Record &change, std::string_view queued_at) {
    append_row(change, queued_at);
    ordinal_++;
    if (streaming_) {
        ready_ = out_.size();
    } else if (out_.size() - ready_ > xact_buffer_limit_) {
        start_streaming();
    }
}

void ChangeEncoder::append_row(const Record &change, std::string_view queued_at) {
    if (streaming_) {
        out_.append(provisional_);
    } else {
        placeholders_.push_back(out_.size());
        out_.append(kLsnWidth, '0');
    }
    out_.push_back('\t');
    out_.append(std::to_string(ordinal_)).push_back('\t');
    out_.append(std::to_string(change.lsn)).push_back('\t');
    out_.append(xid_).push_back('\t');
    out_.append(committed_at_).push_back('\t');
    out_.append(queued_at).push_back('\t');
    out_.append(operation_name(change.op)).push_back('\t');
    out_.append(database_).push_back('\t');
    append_copy_escaped(out_, change.schema);
    out_.push_back('\t');
    append_copy_escaped(out_, change.table);
    out_.push_back('\t');
    auto key = change.op == 'T' ? std::nullopt : render_primary_key(key_values_of(change));
    if (key) append_copy_escaped(out_, *key);
    else out_.append(kNull);
    out_.push_back('\t');
    nul_escapes_ += append_image(out_, change.before);
    out_.push_back('\t');
    nul_escapes_ += append_image(out_, change.after);
    out_.push_back('\t');
    out_.append(context_).push_back('\t');
    if (change.unchanged.empty()) out_.append(kNull);
    else append_copy_text_array(out_, change.unchanged);
    out_.push_back('\n');
}

void ChangeEncoder::start_streaming() {
    provisional_ = fixed_width_number(-static_cast<std::int64_t>(commit_start_));
    patch_placeholders(provisional_);
    streaming_ = true;
    ready_ = out_.size();
}

void ChangeEncoder::commit(const Record &commit) {
    if (streaming_) {
        fixups_.push_back({-static_cast<std::int64_t>(commit_start_), commit.lsn});
        streaming_ = false;
    } else {
        patch_placeholders(fixed_width_number(static_cast<std::int64_t>(commit.lsn)));
    }
    ready_ = out_.size();
}

void ChangeEncoder::patch_placeholders(std::string_view value) {
    for (std::size_t offset : placeholders_) out_.replace(offset, kLsnWidth, value);
    placeholders_.clear();
}

void ChangeEncoder::consume_ready() {
    out_.erase(0, ready_);
    for (auto &offset : placeholders_) offset -= ready_;
    ready_ = 0;
}

void ChangeEncoder::reset() {
    out_.clear();
    ready_ = 0;
    placeholders_.clear();
    streaming_ = false;
    fixups_.clear();
}

}  // namespace pgtrail
