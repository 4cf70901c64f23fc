// Reads pgoutput's protocol-version-1 messages, in the shape of PostgreSQL's proto.c: one
// reader per message, each a straight sequence of reads in the order the writer emits them.
// Views point into the payload. Pure C++.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decode/events.h"

namespace pgtrail::pgoutput {

using Oid = std::uint32_t;

/// 'B'
struct Begin {
    std::uint64_t final_lsn = 0;    ///< the commit record's start
    std::int64_t commit_time = 0;   ///< microseconds since 2000-01-01 UTC
    std::uint32_t xid = 0;
};

/// 'C'
struct Commit {
    std::uint8_t flags = 0;
    std::uint64_t commit_lsn = 0;
    std::uint64_t end_lsn = 0;      ///< the commit record's end
    std::int64_t commit_time = 0;
};

/// 'O'
struct Origin {
    std::uint64_t origin_lsn = 0;
    std::string_view name;
};

/// One column of a Relation message.
struct RelationColumn {
    bool key = false;               ///< part of the replica identity (every column under FULL)
    std::string_view name;
    Oid type = 0;
    std::int32_t typmod = -1;
};

/// 'R'
struct Relation {
    Oid oid = 0;
    std::string_view schema;        ///< "pg_catalog" when the writer sent ""
    std::string_view name;
    char replident = 'd';
    std::vector<RelationColumn> columns;
};

/// 'Y'
struct Type {
    Oid oid = 0;
    std::string_view schema;
    std::string_view name;
};

/// One value of a tuple.
struct TupleValue {
    char kind = 'n';                ///< 'n' null, 'u' unchanged TOASTed value, 't' text, 'b' binary
    std::string_view data;          ///< 't' and 'b'
};

/// 'I'
struct Insert {
    Oid relation = 0;
    std::vector<TupleValue> new_tuple;
};

/// 'U'; old_kind is 'K' (key columns), 'O' (the whole old row) or 0 (no old row).
struct Update {
    Oid relation = 0;
    char old_kind = 0;
    std::vector<TupleValue> old_tuple;
    std::vector<TupleValue> new_tuple;
};

/// 'D'; old_kind is 'K' or 'O'.
struct Delete {
    Oid relation = 0;
    char old_kind = 0;
    std::vector<TupleValue> old_tuple;
};

/// 'T'
struct Truncate {
    bool cascade = false;
    bool restart_identity = false;
    std::vector<Oid> relations;
};

/// 'M'
struct Message {
    bool transactional = false;
    std::uint64_t lsn = 0;
    std::string_view prefix;
    std::string_view content;
};

/// A cursor over one message's bytes; every read past the end throws DecodeError.
class MessageCursor {
public:
    explicit MessageCursor(std::string_view data) : data_(data) {}
    std::uint8_t byte();
    std::int16_t int16();
    std::int32_t int32();
    std::int64_t int64();
    /// A NUL-terminated string.
    std::string_view string();
    std::string_view bytes(std::size_t n);
    bool at_end() const { return pos_ == data_.size(); }

private:
    void need(std::size_t n) const;
    std::string_view data_;
    std::size_t pos_ = 0;
};

// Each reader starts after the message's type byte.
Begin read_begin(MessageCursor &in);
Commit read_commit(MessageCursor &in);
Origin read_origin(MessageCursor &in);
void read_relation(MessageCursor &in, Relation &out);  ///< reuses out's column vector
Type read_type(MessageCursor &in);
void read_insert(MessageCursor &in, Insert &out);
void read_update(MessageCursor &in, Update &out);
void read_delete(MessageCursor &in, Delete &out);
void read_truncate(MessageCursor &in, Truncate &out);
Message read_message(MessageCursor &in);
void read_tuple(MessageCursor &in, std::vector<TupleValue> &out);

}  // namespace pgtrail::pgoutput
