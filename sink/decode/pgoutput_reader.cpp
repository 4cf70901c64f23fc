// pgoutput messages, read as proto.c's logicalrep_read_* functions write them.
#include "decode/pgoutput_reader.h"

namespace pgtrail::pgoutput {

namespace {

constexpr std::uint8_t kCommitFlagsNone = 0;
constexpr std::uint8_t kTruncateCascade = 1;
constexpr std::uint8_t kTruncateRestartIdentity = 2;
constexpr std::uint8_t kMessageTransactional = 1;

std::uint64_t be(std::string_view bytes) {
    std::uint64_t v = 0;
    for (unsigned char c : bytes) v = (v << 8) | c;
    return v;
}

}  // namespace

void MessageCursor::need(std::size_t n) const {
    if (data_.size() - pos_ < n) throw DecodeError("a pgoutput message ends early");
}

std::string_view MessageCursor::bytes(std::size_t n) {
    need(n);
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
}

std::uint8_t MessageCursor::byte() { return static_cast<std::uint8_t>(bytes(1)[0]); }
std::int16_t MessageCursor::int16() { return static_cast<std::int16_t>(be(bytes(2))); }
std::int32_t MessageCursor::int32() { return static_cast<std::int32_t>(be(bytes(4))); }
std::int64_t MessageCursor::int64() { return static_cast<std::int64_t>(be(bytes(8))); }

std::string_view MessageCursor::string() {
    std::size_t end = data_.find('\0', pos_);
    if (end == std::string_view::npos) throw DecodeError("a pgoutput message has an unterminated string");
    std::string_view out = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
}

Begin read_begin(MessageCursor &in) {
    Begin b;
    b.final_lsn = static_cast<std::uint64_t>(in.int64());
    b.commit_time = in.int64();
    b.xid = static_cast<std::uint32_t>(in.int32());
    return b;
}

Commit read_commit(MessageCursor &in) {
    Commit c;
    c.flags = in.byte();
    if (c.flags != kCommitFlagsNone) throw DecodeError("a pgoutput commit has unknown flags");
    c.commit_lsn = static_cast<std::uint64_t>(in.int64());
    c.end_lsn = static_cast<std::uint64_t>(in.int64());
    c.commit_time = in.int64();
    return c;
}

Origin read_origin(MessageCursor &in) {
    Origin o;
    o.origin_lsn = static_cast<std::uint64_t>(in.int64());
    o.name = in.string();
    return o;
}

void read_relation(MessageCursor &in, Relation &out) {
    out.oid = static_cast<Oid>(in.int32());
    out.schema = in.string();
    if (out.schema.empty()) out.schema = "pg_catalog";  // logicalrep_write_namespace sends "" for it
    out.name = in.string();
    out.replident = static_cast<char>(in.byte());
    int natts = in.int16();
    out.columns.resize(natts < 0 ? 0 : static_cast<std::size_t>(natts));
    for (auto &col : out.columns) {
        col.key = (in.byte() & 1) != 0;
        col.name = in.string();
        col.type = static_cast<Oid>(in.int32());
        col.typmod = in.int32();
    }
}

Type read_type(MessageCursor &in) {
    Type t;
    t.oid = static_cast<Oid>(in.int32());
    t.schema = in.string();
    if (t.schema.empty()) t.schema = "pg_catalog";
    t.name = in.string();
    return t;
}

void read_tuple(MessageCursor &in, std::vector<TupleValue> &out) {
    int natts = in.int16();
    out.resize(natts < 0 ? 0 : static_cast<std::size_t>(natts));
    for (auto &value : out) {
        value.kind = static_cast<char>(in.byte());
        value.data = {};
        switch (value.kind) {
        case 'n':
        case 'u': break;
        case 't':
        case 'b': value.data = in.bytes(static_cast<std::uint32_t>(in.int32())); break;
        default: throw DecodeError("a pgoutput tuple has an unknown value kind");
        }
    }
}

void read_insert(MessageCursor &in, Insert &out) {
    out.relation = static_cast<Oid>(in.int32());
    if (in.byte() != 'N') throw DecodeError("a pgoutput insert lacks its new tuple");
    read_tuple(in, out.new_tuple);
}

void read_update(MessageCursor &in, Update &out) {
    out.relation = static_cast<Oid>(in.int32());
    char kind = static_cast<char>(in.byte());
    out.old_kind = 0;
    if (kind == 'K' || kind == 'O') {
        out.old_kind = kind;
        read_tuple(in, out.old_tuple);
        kind = static_cast<char>(in.byte());
    }
    if (kind != 'N') throw DecodeError("a pgoutput update lacks its new tuple");
    read_tuple(in, out.new_tuple);
}

void read_delete(MessageCursor &in, Delete &out) {
    out.relation = static_cast<Oid>(in.int32());
    out.old_kind = static_cast<char>(in.byte());
    if (out.old_kind != 'K' && out.old_kind != 'O') throw DecodeError("a pgoutput delete lacks its old tuple");
    read_tuple(in, out.old_tuple);
}

void read_truncate(MessageCursor &in, Truncate &out) {
    int nrelids = in.int32();
    std::uint8_t flags = in.byte();
    out.cascade = (flags & kTruncateCascade) != 0;
    out.restart_identity = (flags & kTruncateRestartIdentity) != 0;
    out.relations.resize(nrelids < 0 ? 0 : static_cast<std::size_t>(nrelids));
    for (auto &relid : out.relations) relid = static_cast<Oid>(in.int32());
}

Message read_message(MessageCursor &in) {
    Message m;
    m.transactional = (in.byte() & kMessageTransactional) != 0;
    m.lsn = static_cast<std::uint64_t>(in.int64());
    m.prefix = in.string();
    m.content = in.bytes(static_cast<std::uint32_t>(in.int32()));
    return m;
}

}  // namespace pgtrail::pgoutput
