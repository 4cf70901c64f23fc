// COPY rows for the changes table.
#include "stream/change_encoder.h"

#include "pg/copy_text.h"
#include "stream/primary_key.h"

namespace pgtrail {

namespace {

constexpr std::string_view kNull = "\\N";
constexpr std::size_t kImagePiece = 256 * 1024;         // a larger image is escaped and sent in pieces of this size

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

ChangeEncoder::ChangeEncoder(std::string_view database) { append_copy_escaped(database_, database); }

std::string_view ChangeEncoder::ready() {
    if (!piece_.empty()) return piece_;
    std::size_t end = deferred_.empty() ? out_.size() : deferred_.front().at;
    if (sent_ < end || deferred_.empty()) return std::string_view(out_).substr(sent_, end - sent_);
    Deferred &image = deferred_.front();
    std::size_t counted = 0;  // (counted when the image was added)
    std::size_t taken = append_copy_escaped_json_part(piece_, image.json, kImagePiece, counted);
    image.sent.read_up_to(image.json.data() + taken);
    image.json.remove_prefix(taken);
    if (image.json.empty()) deferred_.erase(deferred_.begin());
    return piece_;
}

void ChangeEncoder::consume_ready() {
    if (!piece_.empty()) {
        piece_.clear();
        return;
    }
    sent_ = deferred_.empty() ? out_.size() : deferred_.front().at;
    if (!deferred_.empty()) return;
    out_.clear();
    sent_ = 0;
    // More than this, left by a huge row, is given back.
    if (out_.capacity() > kHugeMessageBytes) std::string().swap(out_);
    if (piece_.capacity() > kHugeMessageBytes) std::string().swap(piece_);
}

std::size_t ChangeEncoder::pending() const {
    std::size_t bytes = out_.size() - sent_ + piece_.size();
    for (const auto &image : deferred_) bytes += image.json.size();
    return bytes;
}

void ChangeEncoder::append_image(std::string_view json, bool releasable) {
    if (json.empty()) {
        out_.append(kNull);
    } else if (json.size() > kImagePiece && stream_huge_images_) {
        nul_escapes_ += count_nul_escapes(json);
        deferred_.push_back(Deferred{out_.size(), json, PageReleaser(releasable ? json.data() : nullptr)});
    } else {
        nul_escapes_ += append_copy_escaped_json(out_, json);
    }
}

void ChangeEncoder::begin(const BeginEvent &begin, std::uint32_t first_ordinal) {
    commit_lsn_ = std::to_string(begin.commit_lsn);
    xid_ = std::to_string(begin.xid);
    committed_at_.clear();
    append_copy_escaped(committed_at_, begin.commit_time);
    context_ = "{}";
    first_ordinal_ = ordinal_ = first_ordinal;
}

void ChangeEncoder::set_context(std::string_view context) {
    context_.clear();
    append_copy_escaped(context_, context);
}

void ChangeEncoder::append_row_head(std::uint64_t lsn, char op, std::string_view schema, std::string_view table,
                                    std::string_view queued_at) {
    out_.append(commit_lsn_).push_back('\t');
    out_.append(std::to_string(ordinal_++)).push_back('\t');
    out_.append(std::to_string(lsn)).push_back('\t');
    out_.append(xid_).push_back('\t');
    out_.append(committed_at_).push_back('\t');
    out_.append(queued_at).push_back('\t');
    out_.append(operation_name(op)).push_back('\t');
    out_.append(database_).push_back('\t');
    append_copy_escaped(out_, schema);
    out_.push_back('\t');
    append_copy_escaped(out_, table);
    out_.push_back('\t');
}

void ChangeEncoder::add(const RowChangeEvent &change, std::string_view queued_at) {
    append_row_head(change.lsn, change.op, change.schema, change.table, queued_at);
    auto key = render_primary_key(key_values_of(change));
    if (key) append_copy_escaped(out_, *key);
    else out_.append(kNull);
    out_.push_back('\t');
    append_image(change.before, change.images_releasable);
    out_.push_back('\t');
    append_image(change.after, change.images_releasable);
    out_.push_back('\t');
    out_.append(context_).push_back('\t');
    if (change.unchanged.empty()) out_.append(kNull);
    else append_copy_text_array(out_, change.unchanged);
    out_.push_back('\t');
    if (change.lossy.empty()) out_.append(kNull);
    else append_copy_text_array(out_, change.lossy);
    out_.push_back('\t');
    auto moved_from = render_moved_from(change);
    if (moved_from) append_copy_escaped(out_, *moved_from);
    else out_.append(kNull);
    out_.push_back('\n');
}

void ChangeEncoder::add(const TruncateEvent &truncate, std::string_view queued_at) {
    append_row_head(truncate.lsn, 'T', truncate.schema, truncate.table, queued_at);
    // primary_key, before, after
    out_.append(kNull).push_back('\t');
    out_.append(kNull).push_back('\t');
    out_.append(kNull).push_back('\t');
    out_.append(context_).push_back('\t');
    out_.append(kNull).push_back('\t');  // unchanged
    out_.append(kNull).push_back('\t');  // lossy
    out_.append(kNull).push_back('\n');  // moved_from
}

}  // namespace pgtrail
