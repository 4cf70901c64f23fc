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
    spans->jsonb_size = static_cast<Size *>(palloc0(sizeof(Size) * (natts > 0 ? natts : 1)));
    spans->size = static_cast<Size *>(palloc0(sizeof(Size) * (natts > 0 ? natts : 1)));
    return spans;
}

LossyColumns *new_lossy_columns(int natts) {
    auto *lossy = static_cast<LossyColumns *>(palloc0(sizeof(LossyColumns)));
    lossy->lossy = static_cast<bool *>(palloc0(sizeof(bool) * (natts > 0 ? natts : 1)));
    initStringInfo(&lossy->detail);
    return lossy;
}

namespace {

// Writes the placeholder for a value left out, and notes the column (name, size, reason; no value).
void omit_value(StringInfo out, LossyColumns *lossy, int i, const ColumnInfo *col, Size size, Omission why) {
    append_omitted(out, size, why);
    if (!lossy->lossy[i]) lossy->count++;
    lossy->lossy[i] = true;
    if (lossy->detail.len > 0) appendStringInfoString(&lossy->detail, "; ");
    appendStringInfo(&lossy->detail, "column %s: " UINT64_FORMAT " bytes, %s", col->name, static_cast<uint64>(size),
                     why == Omission::ValueTooLarge   ? "over jsonb's limit"
                     : why == Omission::ImageTooLarge ? "row over jsonb's limit"
                                                      : "record over 1 GB");
}

}  // namespace

void append_tuple_json(StringInfo out, const RelInfo *info, HeapTuple tuple, bool key_only,
                       HeapTuple toast_source, StringInfo unchanged, ValueSpans *spans, LossyColumns *lossy) {
    TupleDesc desc = info->desc;
    Datum *values, *old_values = nullptr;
    bool *nulls, *old_nulls = nullptr;
    deform(tuple, desc, &values, &nulls);

    appendStringInfoCharMacro(out, '{');
    bool first = true;
    Size image_jsonb = 0;  // estimated size of this image as jsonb
    for (int i = 0; i < desc->natts; i++) {
        const ColumnInfo *col = &info->columns[i];
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (col->omitted || (key_only && nulls[i])) continue;
        Datum value = values[i];
        if (!nulls[i] && is_unchanged_toast(attr, value)) {
            // Fill from the old row when it carries the value (REPLICA IDENTITY FULL): copy its
            // rendering from the before image when that was just written, else render it again.
            if (toast_source && spans && spans->len[i] > 0) {
                if (!first) appendStringInfoCharMacro(out, ',');
                first = false;
                appendBinaryStringInfo(out, col->key, col->key_len);
                image_jsonb += col->key_len + 8;
                Size room = kMaxRecordSize > static_cast<Size>(out->len) ? kMaxRecordSize - out->len : 0;
                if (static_cast<Size>(spans->len[i]) > room)
                    omit_value(out, lossy, i, col, spans->size[i], Omission::RecordTooLarge);
                else if (image_jsonb + spans->jsonb_size[i] > kJsonbMaxSize)
                    omit_value(out, lossy, i, col, spans->size[i], Omission::ImageTooLarge);
                else {
                    append_earlier_value(out, spans->start[i], spans->len[i]);
                    image_jsonb += spans->jsonb_size[i];
                }
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
        image_jsonb += col->key_len + 8;  // the key and its entry
        if (nulls[i]) {
            appendStringInfoString(out, "null");
            continue;
        }
        int start = out->len;
        Size size = 0, jsonb_size = 0;
        Omission why = Omission::None;
        if (col->redacted) {  // the value itself never reaches the record
            append_redacted_value(out, value, col);
            size = jsonb_size = out->len - start;
        } else {
            why = append_json_value_within(out, value, col, attr->attlen, image_jsonb, &size, &jsonb_size);
        }
        if (why != Omission::None) {
            omit_value(out, lossy, i, col, size, why);
            jsonb_size = out->len - start;
        }
        image_jsonb += jsonb_size;
        if (spans && !toast_source) {  // rendering a before image: remember where each value went
            spans->start[i] = start;
            spans->len[i] = out->len - start;
            spans->jsonb_size[i] = jsonb_size;
            spans->size[i] = size;
        }
    }
    appendStringInfoCharMacro(out, '}');
}

}  // namespace pgtrail
