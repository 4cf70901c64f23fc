// Shared declarations of the pgtrail output plugin (PostgreSQL-facing side).
#pragma once

#include "pg_compat.h"

namespace pgtrail {

struct PluginOptions;  // options.h: pure C++, owned by PluginState

/// How a column's value is rendered so that it equals to_jsonb()'s rendering.
enum class ValueKind : uint8 {
    Int2,         ///< JSON number, formatted directly
    Int4,
    Int8,
    Bool,         ///< true / false
    Number,       ///< float4/8, numeric: output text; NaN/Infinity become strings
    Date,         ///< to_jsonb's ISO form (JsonEncodeDateTime)
    Timestamp,
    TimestampTz,
    Json,         ///< json: output text embedded as is
    Jsonb,        ///< jsonb: its text (jsonb_out's) written straight into the record
    Text,         ///< text/varchar/bpchar: the stored bytes as a JSON string
    Uuid,         ///< uuid: uuid_out's text, formatted directly
    Other,        ///< any other type: its output text as a JSON string
    Array,        ///< JSON array of elements of a simple kind above
    ViaToJsonb,   ///< composites and types with a cast to json: PostgreSQL's own to_jsonb
};

/// Rendering of one array element type.
struct ElementInfo {
    Oid type;
    int16 len;
    bool byval;
    char align;
    ValueKind kind;
    FmgrInfo out;  ///< element output function
};

/// Everything needed to render one column, computed once per relation.
struct ColumnInfo {
    bool omitted;  ///< not in row images: dropped, or virtual generated (18+, not in the WAL)
    bool redacted; ///< matches the redact option: written as a marker or keyed hash, never as is
    bool ignored;  ///< matches ignore-columns: an UPDATE changing only such columns is not written
    ValueKind kind;
    const char *key;  ///< "name": pre-escaped
    int key_len;
    const char *name;  ///< plain column name (for the "unchanged" list)
    FmgrInfo out;     ///< output function (Number, Json, Other)
    ElementInfo *element;     ///< for Array
    FmgrInfo *to_jsonb;       ///< for ViaToJsonb: to_jsonb() bound to this column's type
};

/// Cached metadata of one relation as decoding sees it (hash key: relid).
struct RelInfo {
    Oid relid;
    bool valid;
    MemoryContext cxt;          ///< owns everything below
    Oid target_relid;           ///< the relation reported (the partition root when partition-root is on)
    bool tracked;               ///< passes include-tables / exclude-tables (itself or an ancestor)
    bool publish_insert, publish_update, publish_delete, publish_truncate;
    const char *head;           ///< "schema":..,"table":..,"pk":[..] pre-rendered
    int head_len;
    const char *key_names;      ///< the pk columns, comma-separated (for log messages)
    const char *own_head;       ///< the partition's own head, when reported under its root (for TRUNCATE)
    int own_head_len;
    TupleDesc desc;             ///< descriptor of the reported relation
    TupleConversionMap *map;    ///< partition row -> root row, or NULL
    ColumnInfo *columns;        ///< desc->natts entries
    bool any_redacted;          ///< some column is redacted
    bool any_ignored;           ///< some column is ignored
};

/// The plugin's state for one decoding session (ctx->output_plugin_private).
struct PluginState {
    MemoryContext change_cxt;   ///< reset after every callback
    PluginOptions *options;
    bool xact_began;            ///< the B record of the current transaction is written
    uint32 filtered_changes;    ///< filtered changes since the last progress update
};

// relinfo.cpp
void relinfo_cache_init(PluginState *state, MemoryContext parent);
RelInfo *relinfo_get(PluginState *state, Relation rel);
/// Frees invalidated entries (dropped or changed relations); call where no entry is in use.
void relinfo_sweep();

// publications.cpp
void publication_actions(const PluginOptions &options, Oid relid, Oid target_relid, bool *insert,
                         bool *update, bool *del, bool *truncate);

// value_json.cpp
void classify_column(ColumnInfo *col, Oid typid, MemoryContext cxt);
void append_json_string(StringInfo out, const char *s, size_t n);
void append_json_value(StringInfo out, Datum value, const ColumnInfo *col);

/// jsonb's limit on one string and on the data of one object (JENTRY_OFFLENMASK, 256 MB).
constexpr Size kJsonbMaxSize = 0x0FFFFFFF;
/// The largest record the plugin writes: MaxAllocSize (StringInfo, CopyData, text) less room for
/// the keys, placeholders and "lossy" list that may follow the last value checked.
constexpr Size kMaxRecordSize = MaxAllocSize - 16 * 1024 * 1024;

/// Why a value was left out of a record (docs/FORMAT.md, "Values that cannot be stored").
enum class Omission : uint8 {
    None,
    ValueTooLarge,   ///< the value alone is over jsonb's limit
    ImageTooLarge,   ///< the row image's jsonb would go over jsonb's limit
    RecordTooLarge,  ///< the record would go over kMaxRecordSize
};

/// Appends value's JSON (as append_json_value) unless it cannot be stored; then appends nothing
/// and says why. *size: the value's size in bytes as PostgreSQL holds it (uncompressed);
/// *jsonb_size: an estimate of what it adds to its image's jsonb. image_jsonb: the image so far.
Omission append_json_value_within(StringInfo out, Datum value, const ColumnInfo *col, int16 attlen,
                                  Size image_jsonb, Size *size, Size *jsonb_size);
/// Appends the placeholder "<pgtrail: value of N bytes omitted: REASON>".
void append_omitted(StringInfo out, Size size, Omission why);

// redaction.cpp
/// Appends a redacted column's JSON: the fixed marker, or with a key the HMAC of value's JSON.
void append_redacted_value(StringInfo out, Datum value, const ColumnInfo *col);
/// The key redacted values are hashed with (set once from the options; NULL: fixed marker).
void set_redact_key(const char *key, int len);
/// True when an UPDATE's new row differs from its complete old row only in ignored columns.
bool only_ignored_columns_changed(const RelInfo *info, HeapTuple oldtuple, HeapTuple newtuple);

// tuple_json.cpp
/// Where each column's value was written in the output buffer (offsets; len 0: not written).
struct ValueSpans {
    int *start;
    int *len;
    Size *jsonb_size;  ///< its estimated jsonb size
    Size *size;        ///< the value's size in PostgreSQL
};

/// The columns of one record whose value in before or after is not to_jsonb's rendering.
struct LossyColumns {
    bool *lossy;             ///< per column of the reported relation
    int count;
    StringInfoData detail;   ///< "column c: N bytes, reason; ..." for the log (never values)
};
LossyColumns *new_lossy_columns(int natts);

/// Appends a row image as a JSON object. With key_only, NULL columns are left out (a
/// key-only old tuple has NULL in every non-key column). With toast_source, unchanged
/// TOASTed values are taken from it; those it cannot fill go to unchanged (if not NULL).
/// With spans, rendering an old image records where each value's JSON went in out, and
/// rendering the new image (toast_source given) copies unchanged TOASTed values from there.
/// A value that cannot be stored is replaced by a placeholder and noted in lossy.
void append_tuple_json(StringInfo out, const RelInfo *info, HeapTuple tuple, bool key_only,
                       HeapTuple toast_source, StringInfo unchanged, ValueSpans *spans, LossyColumns *lossy);
ValueSpans *new_value_spans(int natts);

// record_pieces.cpp
/// OutputPluginPrepareWrite for one record; returns where the record starts in ctx->out.
int begin_record(LogicalDecodingContext *ctx);
/// OutputPluginWrite of the record begun at start: whole, or in pieces when it is longer than
/// the max-message-bytes option.
void end_record(LogicalDecodingContext *ctx, int start);

// records.cpp
void write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
void write_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
void write_change(LogicalDecodingContext *ctx, PluginState *state, Relation rel,
                  ReorderBufferChange *change);
void write_truncate(LogicalDecodingContext *ctx, PluginState *state, int nrelations,
                    Relation relations[], ReorderBufferChange *change);
void write_message(LogicalDecodingContext *ctx, PluginState *state, ReorderBufferTXN *txn,
                   XLogRecPtr lsn, bool transactional, const char *prefix, Size size,
                   const char *message);
bool origin_is_excluded(PluginState *state, RepOriginId origin_id);
void reset_origin_verdicts();
void ensure_begin_written(LogicalDecodingContext *ctx, PluginState *state, ReorderBufferTXN *txn);

}  // namespace pgtrail
