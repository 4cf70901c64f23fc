// Writes the plugin's records: one JSON object each (handed over by record_pieces.cpp).
#include "json_escape.h"
#include "options.h"
#include "pgtrail.h"

namespace pgtrail {

namespace {

constexpr uint32 kProgressEvery = 100;  // filtered changes between progress updates

void append_lsn(StringInfo out, const char *field, XLogRecPtr lsn) {
    char buf[24];
    appendStringInfoString(out, field);
    appendStringInfoChar(out, '"');
    appendBinaryStringInfo(out, buf, static_cast<int>(format_lsn(lsn, buf)));
    appendStringInfoChar(out, '"');
}

// ,"ts":"2026-11-21T09:26:00.123456+00:00" (always UTC)
void append_commit_time(StringInfo out, TimestampTz ts) {
    char buf[MAXDATELEN + 1];
    int utc = 0;
    JsonEncodeDateTime(buf, TimestampTzGetDatum(ts), TIMESTAMPTZOID, &utc);
    appendStringInfoString(out, ",\"ts\":\"");
    appendStringInfoString(out, buf);
    appendStringInfoChar(out, '"');
}

void write_xact_record(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, char op, XLogRecPtr lsn) {
    int start = begin_record(ctx);
    appendStringInfo(ctx->out, "{\"op\":\"%c\",\"xid\":%u", op, txn->xid);
    append_lsn(ctx->out, ",\"lsn\":", lsn);
    append_commit_time(ctx->out, txn->xact_time.commit_time);
    appendStringInfoChar(ctx->out, '}');
    end_record(ctx, start);
}

// {"op":"X","lsn":"..", + head
void start_change_record(StringInfo out, char op, XLogRecPtr lsn, const RelInfo *info) {
    appendStringInfo(out, "{\"op\":\"%c\"", op);
    append_lsn(out, ",\"lsn\":", lsn);
    appendStringInfoChar(out, ',');
    appendBinaryStringInfo(out, info->head, info->head_len);
}

// A partition's row, in its root's column layout when the change is reported under the root.
HeapTuple as_reported(const RelInfo *info, HeapTuple tuple) {
    if (tuple == nullptr || info->map == nullptr) return tuple;
    return execute_attr_map_tuple(tuple, info->map);
}

bool action_published(const RelInfo *info, ReorderBufferChangeType action) {
    switch (action) {
    case REORDER_BUFFER_CHANGE_INSERT: return info->publish_insert;
    case REORDER_BUFFER_CHANGE_UPDATE: return info->publish_update;
    case REORDER_BUFFER_CHANGE_DELETE: return info->publish_delete;
    default: return false;
    }
}

// Keeps the walsender's keepalives flowing while long stretches are filtered out.
void note_filtered(LogicalDecodingContext *ctx, PluginState *state) {
    if (++state->filtered_changes < kProgressEvery) return;
    state->filtered_changes = 0;
    OutputPluginUpdateProgress(ctx, false);
}

void append_image(StringInfo out, const char *field, const RelInfo *info, HeapTuple tuple, bool key_only,
                  HeapTuple toast_source, StringInfo unchanged, ValueSpans *spans, LossyColumns *lossy) {
    appendStringInfoString(out, field);
    append_tuple_json(out, info, tuple, key_only, toast_source, unchanged, spans, lossy);
}

// ,"lossy":["a","b"]: the columns whose value in before or after is not to_jsonb's, in column order.
void append_lossy(StringInfo out, const RelInfo *info, const LossyColumns *lossy) {
    appendStringInfoString(out, ",\"lossy\":[");
    bool first = true;
    for (int i = 0; i < info->desc->natts; i++) {
        if (!lossy->lossy[i]) continue;
        if (!first) appendStringInfoChar(out, ',');
        first = false;
        append_json_string(out, info->columns[i].name, strlen(info->columns[i].name));
    }
    appendStringInfoChar(out, ']');
}

// Names the change whose values were left out: table, key columns, LSN; never a value.
void warn_lossy(const RelInfo *info, XLogRecPtr lsn, char op, const LossyColumns *lossy) {
    const char *schema = get_namespace_name(get_rel_namespace(info->target_relid));
    const char *table = get_rel_name(info->target_relid);
    ereport(WARNING,
            (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
             errmsg("pgtrail: %c record at %X/%X of table %s.%s (key columns: %s) has %d value(s) too large to store, written as placeholders and listed in \"lossy\"",
                    op, LSN_FORMAT_ARGS(lsn), schema ? schema : "?", table ? table : "?",
                    info->key_names[0] ? info->key_names : "none", lossy->count),
             errdetail("%s", lossy->detail.data)));
}

void write_row_change(LogicalDecodingContext *ctx, const RelInfo *info, Relation rel,
                      ReorderBufferChange *change) {
    StringInfo out = ctx->out;
    HeapTuple newtuple = as_reported(info, change_new_tuple(change));
    HeapTuple oldtuple = as_reported(info, change_old_tuple(change));
    // An old tuple is complete only under REPLICA IDENTITY FULL; otherwise it holds the key.
    bool old_key_only = rel->rd_rel->relreplident != REPLICA_IDENTITY_FULL;
    char op = change->action == REORDER_BUFFER_CHANGE_INSERT   ? 'I'
              : change->action == REORDER_BUFFER_CHANGE_UPDATE ? 'U'
                                                               : 'D';
    int start = begin_record(ctx);
    start_change_record(out, op, change->lsn, info);
    // A full old row next to a new one: the new row's unchanged TOASTed values repeat old ones.
    ValueSpans *spans = oldtuple && newtuple && !old_key_only ? new_value_spans(info->desc->natts) : nullptr;
    LossyColumns *lossy = new_lossy_columns(info->desc->natts);
    if (oldtuple) append_image(out, ",\"before\":", info, oldtuple, old_key_only, nullptr, nullptr, spans, lossy);
    if (newtuple) {
        StringInfoData unchanged;
        initStringInfo(&unchanged);
        append_image(out, ",\"after\":", info, newtuple, false, old_key_only ? nullptr : oldtuple, &unchanged, spans, lossy);
        if (unchanged.len > 0) appendStringInfo(out, ",\"unchanged\":[%s]", unchanged.data);
    }
    if (lossy->count > 0) append_lossy(out, info, lossy);
    appendStringInfoChar(out, '}');
    end_record(ctx, start);
    if (lossy->count > 0) warn_lossy(info, change->lsn, op, lossy);
}

// ignore-columns: an UPDATE whose complete old row (REPLICA IDENTITY FULL) differs from the new
// one only in ignored columns. Without the old row nothing can be compared: it is written.
bool update_only_touches_ignored(const RelInfo *info, Relation rel, ReorderBufferChange *change) {
    if (!info->any_ignored || change->action != REORDER_BUFFER_CHANGE_UPDATE) return false;
    if (rel->rd_rel->relreplident != REPLICA_IDENTITY_FULL) return false;
    HeapTuple oldtuple = as_reported(info, change_old_tuple(change));
    HeapTuple newtuple = as_reported(info, change_new_tuple(change));
    return oldtuple && newtuple && only_ignored_columns_changed(info, oldtuple, newtuple);
}

// Looks an origin's name up in the catalog, inside a transaction of our own if
// decoding is not in one (the walsender decodes outside transactions).
char *origin_name(RepOriginId origin_id) {
    MemoryContext cxt = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    bool own_xact = !IsTransactionState();
    if (own_xact) StartTransactionCommand();
    char *name = nullptr;
    char *found = nullptr;
    if (replorigin_by_oid(origin_id, true, &found)) name = MemoryContextStrdup(cxt, found);
    if (own_xact) CommitTransactionCommand();
    MemoryContextSwitchTo(cxt);
    CurrentResourceOwner = owner;
    return name;
}

// Verdict per origin id: 0 unknown, 1 tracked, 2 excluded. Reset when origins change.
uint8 origin_verdicts[UINT16_MAX + 1];
bool origin_callback_registered = false;

void forget_origin_verdicts(Datum, int, uint32) {
    memset(origin_verdicts, 0, sizeof(origin_verdicts));
}

// True when relid is one of the truncated relations.
bool among(Oid relid, int nrelations, Relation relations[]) {
    for (int i = 0; i < nrelations; i++)
        if (RelationGetRelid(relations[i]) == relid) return true;
    return false;
}

// True when a partitioned ancestor of rel (below its root) is truncated too and so reports it.
bool ancestor_among(Relation rel, int nrelations, Relation relations[]) {
    ListCell *lc;
    foreach (lc, get_partition_ancestors(RelationGetRelid(rel)))
        if (among(lfirst_oid(lc), nrelations, relations)) return true;
    return false;
}

}  // namespace

void ensure_begin_written(LogicalDecodingContext *ctx, PluginState *state, ReorderBufferTXN *txn) {
    if (state->xact_began) return;
    write_xact_record(ctx, txn, 'B', txn->final_lsn);
    state->xact_began = true;
}

void write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
    auto *state = static_cast<PluginState *>(ctx->output_plugin_private);
    state->xact_began = false;
    state->filtered_changes = 0;
    relinfo_sweep();  // between transactions no entry is in use
    if (!state->options->skip_empty_xacts) ensure_begin_written(ctx, state, txn);
}

void write_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
    auto *state = static_cast<PluginState *>(ctx->output_plugin_private);
    OutputPluginUpdateProgress(ctx, !state->xact_began);
    if (!state->xact_began) return;
    write_xact_record(ctx, txn, 'C', txn->end_lsn);
    state->xact_began = false;
}

void write_change(LogicalDecodingContext *ctx, PluginState *state, Relation rel, ReorderBufferChange *change) {
    const RelInfo *info = relinfo_get(state, rel);
    if (!info->tracked || !action_published(info, change->action)) {
        note_filtered(ctx, state);
        return;
    }
    if (update_only_touches_ignored(info, rel, change)) {
        note_filtered(ctx, state);
        return;
    }
    ensure_begin_written(ctx, state, change->txn);
    write_row_change(ctx, info, rel, change);
}

void write_truncate(LogicalDecodingContext *ctx, PluginState *state, int nrelations, Relation relations[],
                    ReorderBufferChange *change) {
    // Partitions truncated with their root give one record for the root; a partition
    // truncated without it is reported under its own name (the root's other rows remain),
    // once: under the highest truncated partitioned table above it, if any.
    Oid *written = static_cast<Oid *>(palloc(sizeof(Oid) * nrelations));
    int nwritten = 0;
    for (int i = 0; i < nrelations; i++) {
        const RelInfo *info = relinfo_get(state, relations[i]);
        if (!info->tracked || !info->publish_truncate) continue;
        bool as_root = info->own_head == nullptr || among(info->target_relid, nrelations, relations);
        if (!as_root && ancestor_among(relations[i], nrelations, relations)) continue;
        Oid reported = as_root ? info->target_relid : RelationGetRelid(relations[i]);
        bool seen = false;
        for (int j = 0; j < nwritten; j++)
            seen |= written[j] == reported;
        if (seen) continue;
        written[nwritten++] = reported;
        ensure_begin_written(ctx, state, change->txn);
        int start = begin_record(ctx);
        appendStringInfoString(ctx->out, "{\"op\":\"T\"");
        append_lsn(ctx->out, ",\"lsn\":", change->lsn);
        appendStringInfoChar(ctx->out, ',');
        if (as_root)
            appendBinaryStringInfo(ctx->out, info->head, info->head_len);
        else
            appendBinaryStringInfo(ctx->out, info->own_head, info->own_head_len);
        appendStringInfo(ctx->out, ",\"cascade\":%s,\"restart_identity\":%s}",
                         change->data.truncate.cascade ? "true" : "false",
                         change->data.truncate.restart_seqs ? "true" : "false");
        end_record(ctx, start);
    }
    if (nwritten == 0) note_filtered(ctx, state);
}

void write_message(LogicalDecodingContext *ctx, PluginState *state, ReorderBufferTXN *txn, XLogRecPtr lsn,
                   bool transactional, const char *prefix, Size size, const char *message) {
    if (!message_is_tracked(*state->options, prefix)) return;
    if (transactional) ensure_begin_written(ctx, state, txn);
    int start = begin_record(ctx);
    StringInfo out = ctx->out;
    appendStringInfoString(out, "{\"op\":\"M\"");
    append_lsn(out, ",\"lsn\":", lsn);
    appendStringInfo(out, ",\"transactional\":%s,\"prefix\":", transactional ? "true" : "false");
    append_json_string(out, prefix, strlen(prefix));
    appendStringInfoString(out, ",\"content\":");
    // Content is arbitrary bytes: invalid UTF-8 becomes U+FFFD so the record stays valid JSON,
    // and so does NUL, which PostgreSQL's text and jsonb (a consumer's likely store) reject.
    StringInfoData content;
    initStringInfo(&content);
    for (Size i = 0; i < size;) {
        Size valid = utf8_valid_prefix(message + i, size - i);
        const void *nul = memchr(message + i, '\0', valid);
        if (nul) valid = static_cast<Size>(static_cast<const char *>(nul) - (message + i));
        appendBinaryStringInfo(&content, message + i, static_cast<int>(valid));
        i += valid;
        if (i < size) {
            appendStringInfoString(&content, "\xEF\xBF\xBD");
            i += message[i] == '\0' ? 1 : utf8_invalid_run(message + i, size - i);
        }
    }
    append_json_string(out, content.data, content.len);
    appendStringInfoChar(out, '}');
    end_record(ctx, start);
}

void reset_origin_verdicts() {
    forget_origin_verdicts(0, 0, 0);
}

bool origin_is_excluded(PluginState *state, RepOriginId origin_id) {
    if (origin_id == InvalidRepOriginId || state->options->exclude_origins.empty()) return false;
    if (!origin_callback_registered) {
        CacheRegisterSyscacheCallback(REPLORIGIDENT, forget_origin_verdicts, 0);
        origin_callback_registered = true;
    }
    if (origin_verdicts[origin_id] == 0) {
        char *name = origin_name(origin_id);
        bool excluded = name && any_name_matches(state->options->exclude_origins, name);
        origin_verdicts[origin_id] = excluded ? 2 : 1;
    }
    return origin_verdicts[origin_id] == 2;
}

}  // namespace pgtrail
