// Renders a heap tuple as a JSON object of its columns, as to_jsonb(row) does.
#include "pgtrail.h"

namespace pgtrail {

namespace {

// An unchanged TOASTed value in an UPDATE's new tuple: only a pointer to data we cannot read.
bool is_unchanged_toast(Form_pg_attribute attr, Datum value) {
    return attr->attlen == -1 && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value));
}

// Deforms a tuple into fresh arrays of the descriptor's width.
void deform(HeapTuple tuple, TupleDesc desc, Datum **values, bool **nulls) {
    *values = static_cast<Datum *>(palloc(desc->natts * sizeof(Datum)));
    *nulls = static_cast<bool *>(palloc(desc->natts * sizeof(bool)));
    heap_deform_tuple(tuple, desc, *values, *nulls);
}

void append_unchanged_name(StringInfo unchanged, const ColumnInfo *col) {
    if (unchanged->len > 0) appendStringInfoChar(unchanged, ',');
    append_json_string(unchanged, col->name, strlen(col->name));
}

}  // namespace

// Copies a value rendered earlier in the same buffer (offsets: the buffer may move as it grows).
void append_earlier_value(StringInfo out, int start, int len) {
    enlargeStringInfo(out, len);
    memcpy(out->data + out->len, out->data + start, len);
    out->len += len;
    out->data[out->len] = '\0';
}

ValueSpans *new_value_spans(int natts) {
    auto *spans = static_cast<ValueSpans *>(palloc(sizeof(ValueSpans)));
    spans->start = static_cast<int *>(palloc0(sizeof(int) * (natts > 0 ? natts : 1)));
    spans->len = static_cast<int *>(palloc0(sizeof(int) * (natts > 0 ? natts : 1)));
    return spans;
}

void append_tuple_json(StringInfo out, const RelInfo *info, HeapTuple tuple, bool key_only,
                       HeapTuple toast_source, StringInfo unchanged, ValueSpans *spans) {
    TupleDesc desc = info->desc;
    Datum *values, *old_values = nullptr;
    bool *nulls, *old_nulls = nullptr;
    deform(tuple, desc, &values, &nulls);

    appendStringInfoCharMacro(out, '{');
    bool first = true;
    for (int i = 0; i < desc->natts; i++) {
        const ColumnInfo *col = &info->columns[i];
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (col->dropped || (key_only && nulls[i])) continue;
        Datum value = values[i];
        if (!nulls[i] && is_unchanged_toast(attr, value)) {
            // Fill from the old row when it carries the value (REPLICA IDENTITY FULL): copy its
            // rendering from the before image when that was just written, else render it again.
            if (toast_source && spans && spans->len[i] > 0) {
                if (!first) appendStringInfoCharMacro(out, ',');
                first = false;
                appendBinaryStringInfo(out, col->key, col->key_len);
                append_earlier_value(out, spans->start[i], spans->len[i]);
                continue;
            }
            if (toast_source && !old_values) deform(toast_source, desc, &old_values, &old_nulls);
            bool old_usable = old_values && !old_nulls[i] &&
                              !VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(old_values[i]));
            if (!old_usable) {
                if (unchanged) append_unchanged_name(unchanged, col);
                continue;
            }
            value = old_values[i];
        }
        if (!first) appendStringInfoCharMacro(out, ',');
        first = false;
        appendBinaryStringInfo(out, col->key, col->key_len);
        if (nulls[i]) {
            appendStringInfoString(out, "null");
            continue;
        }
        int start = out->len;
        append_json_value(out, value, col);
        if (spans && !toast_source) {  // rendering a before image: remember where each value went
            spans->start[i] = start;
            spans->len[i] = out->len - start;
        }
    }
    appendStringInfoCharMacro(out, '}');
}

}  // namespace pgtrail
