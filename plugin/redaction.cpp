// The redact and ignore-columns options inside the server: a redacted value is replaced before
// the record leaves the walsender, so the secret never reaches the sink.
#include "column_policy.h"
#include "pgtrail.h"

namespace pgtrail {

namespace {

const char *redact_key = nullptr;  // the options' key, alive as long as the decoding session
int redact_key_len = 0;

// HMAC-SHA256 of the value's JSON text, as the sink computes it in pgoutput mode.
void append_keyed_hash(StringInfo out, Datum value, const ColumnInfo *col) {
    StringInfoData json;
    initStringInfo(&json);
    append_json_value(&json, value, col);
    uint8 digest[PG_SHA256_DIGEST_LENGTH];
    pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
    bool ok = ctx && pg_hmac_init(ctx, reinterpret_cast<const uint8 *>(redact_key), redact_key_len) >= 0 &&
              pg_hmac_update(ctx, reinterpret_cast<const uint8 *>(json.data), json.len) >= 0 &&
              pg_hmac_final(ctx, digest, sizeof(digest)) >= 0;
    if (ctx) pg_hmac_free(ctx);
    pfree(json.data);
    if (!ok) ereport(ERROR, (errmsg("pgtrail: could not compute the HMAC of a redacted value of column %s", col->name)));
    // hmac_marker_json allocates with new: build into a fixed buffer instead (no C++ object across ereport).
    static const char hex[] = "0123456789abcdef";
    appendStringInfoString(out, "\"[redacted hmac-sha256:");
    for (uint8 b : digest) {
        appendStringInfoChar(out, hex[b >> 4]);
        appendStringInfoChar(out, hex[b & 15]);
    }
    appendStringInfoString(out, "]\"");
}

// Binary equality of one column in two deformed rows; an unchanged TOASTed new value is equal.
bool column_unchanged(Form_pg_attribute attr, Datum old_value, bool old_null, Datum new_value, bool new_null) {
    if (old_null || new_null) return old_null == new_null;
    if (attr->attlen == -1 && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(new_value))) return true;
    return datumIsEqual(old_value, new_value, attr->attbyval, attr->attlen);
}

}  // namespace

void set_redact_key(const char *key, int len) {
    redact_key = len > 0 ? key : nullptr;
    redact_key_len = len;
}

void append_redacted_value(StringInfo out, Datum value, const ColumnInfo *col) {
    if (redact_key)
        append_keyed_hash(out, value, col);
    else
        appendBinaryStringInfo(out, kRedactedJson.data(), static_cast<int>(kRedactedJson.size()));
}

bool only_ignored_columns_changed(const RelInfo *info, HeapTuple oldtuple, HeapTuple newtuple) {
    TupleDesc desc = info->desc;
    Datum *old_values = static_cast<Datum *>(palloc(desc->natts * sizeof(Datum)));
    bool *old_nulls = static_cast<bool *>(palloc(desc->natts * sizeof(bool)));
    Datum *new_values = static_cast<Datum *>(palloc(desc->natts * sizeof(Datum)));
    bool *new_nulls = static_cast<bool *>(palloc(desc->natts * sizeof(bool)));
    heap_deform_tuple(oldtuple, desc, old_values, old_nulls);
    heap_deform_tuple(newtuple, desc, new_values, new_nulls);
    bool ignored_changed = false;
    for (int i = 0; i < desc->natts; i++) {
        const ColumnInfo *col = &info->columns[i];
        if (col->omitted) continue;
        bool same = column_unchanged(TupleDescAttr(desc, i), old_values[i], old_nulls[i], new_values[i], new_nulls[i]);
        if (same) continue;
        if (!col->ignored) return false;  // a column that counts changed (or may have: binary inequality)
        ignored_changed = true;
    }
    return ignored_changed;  // an UPDATE that changed nothing at all is still written
}

}  // namespace pgtrail
