// Renders one column value as JSON exactly as PostgreSQL's to_jsonb() renders it.
#include <algorithm>

#include "json_escape.h"
#include "pgtrail.h"

namespace pgtrail {

namespace {

// The kind of a non-array, non-composite type (after looking through domains).
ValueKind scalar_kind(Oid base) {
    switch (base) {
    case INT2OID: return ValueKind::Int2;
    case INT4OID: return ValueKind::Int4;
    case INT8OID: return ValueKind::Int8;
    case FLOAT4OID:
    case FLOAT8OID:
    case NUMERICOID: return ValueKind::Number;
    case BOOLOID: return ValueKind::Bool;
    case DATEOID: return ValueKind::Date;
    case TIMESTAMPOID: return ValueKind::Timestamp;
    case TIMESTAMPTZOID: return ValueKind::TimestampTz;
    case JSONOID: return ValueKind::Json;
    case JSONBOID: return ValueKind::Jsonb;
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID: return ValueKind::Text;
    case UUIDOID: return ValueKind::Uuid;
    default: return ValueKind::Other;
    }
}

// to_jsonb renders user-defined types that have a cast to json through that cast.
bool has_json_cast(Oid base) {
    if (base < FirstNormalObjectId) return false;
    Oid castfunc = InvalidOid;
    return find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &castfunc) == COERCION_PATH_FUNC &&
           OidIsValid(castfunc);
}

// Mirrors jsonb_categorize_type() for one type.
ValueKind kind_of_type(Oid typid) {
    Oid base = getBaseType(typid);
    ValueKind kind = scalar_kind(base);
    if (kind != ValueKind::Other) return kind;
    if (OidIsValid(get_element_type(base))) return ValueKind::Array;
    if (type_is_rowtype(base) || has_json_cast(base)) return ValueKind::ViaToJsonb;
    return ValueKind::Other;
}

// to_jsonb(anyelement) finds its argument's type through fn_expr: give it one.
FmgrInfo *bind_to_jsonb(Oid typid, MemoryContext cxt) {
    MemoryContext old = MemoryContextSwitchTo(cxt);
    FmgrInfo *finfo = static_cast<FmgrInfo *>(palloc0(sizeof(FmgrInfo)));
    fmgr_info_cxt(F_TO_JSONB, finfo, cxt);
    Const *arg = makeNullConst(typid, -1, InvalidOid);
    FuncExpr *call = makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(arg), InvalidOid, InvalidOid,
                                  COERCE_EXPLICIT_CALL);
    fmgr_info_set_expr(reinterpret_cast<Node *>(call), finfo);
    MemoryContextSwitchTo(old);
    return finfo;
}

ElementInfo *element_info(Oid array_type, MemoryContext cxt) {
    Oid elemtype = get_element_type(getBaseType(array_type));
    ElementInfo *elem = static_cast<ElementInfo *>(MemoryContextAllocZero(cxt, sizeof(ElementInfo)));
    elem->type = elemtype;
    elem->kind = kind_of_type(elemtype);
    get_typlenbyvalalign(elemtype, &elem->len, &elem->byval, &elem->align);
    Oid outfn;
    bool varlena;
    getTypeOutputInfo(elemtype, &outfn, &varlena);
    fmgr_info_cxt(outfn, &elem->out, cxt);
    return elem;
}

void append_int(StringInfo out, int64 v) {
    enlargeStringInfo(out, 21);
    out->len += static_cast<int>(format_int64(v, out->data + out->len));
    out->data[out->len] = '\0';
}

void append_datetime(StringInfo out, Datum value, Oid typid) {
    char buf[MAXDATELEN + 1];
    JsonEncodeDateTime(buf, value, typid, nullptr);
    appendStringInfoCharMacro(out, '"');
    appendStringInfoString(out, buf);
    appendStringInfoCharMacro(out, '"');
}

// uuid_out's text in quotes (lowercase hex, hyphens before bytes 4, 6, 8 and 10), without its palloc.
void append_uuid(StringInfo out, const pg_uuid_t *uuid) {
    static constexpr char kHexDigits[] = "0123456789abcdef";
    enlargeStringInfo(out, 2 * UUID_LEN + 6);
    char *dst = out->data + out->len;
    *dst++ = '"';
    for (int i = 0; i < UUID_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *dst++ = '-';
        *dst++ = kHexDigits[uuid->data[i] >> 4];
        *dst++ = kHexDigits[uuid->data[i] & 0xF];
    }
    *dst++ = '"';
    *dst = '\0';
    out->len = static_cast<int>(dst - out->data);
}

// A numeric's output text is a JSON number unless it is NaN or +/-Infinity.
void append_number_text(StringInfo out, const char *text) {
    int len = static_cast<int>(strlen(text));
    if (IsValidJsonNumber(text, len))
        appendBinaryStringInfo(out, text, len);
    else
        append_json_string(out, text, len);
}

// A json value's text as stored, but with line breaks turned into spaces so that a record is
// always one line: json_in only accepts them as whitespace between tokens (strings escape them).
void append_json_text(StringInfo out, const char *text) {
    int start = out->len;
    appendStringInfoString(out, text);
    for (char *c = out->data + start; c < out->data + out->len; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
}

// Renders a value of a kind that needs no per-column state beyond its output function.
void append_simple(StringInfo out, Datum value, ValueKind kind, FmgrInfo *outfn) {
    switch (kind) {
    case ValueKind::Int2: append_int(out, DatumGetInt16(value)); break;
    case ValueKind::Int4: append_int(out, DatumGetInt32(value)); break;
    case ValueKind::Int8: append_int(out, DatumGetInt64(value)); break;
    case ValueKind::Bool: appendStringInfoString(out, DatumGetBool(value) ? "true" : "false"); break;
    case ValueKind::Number: append_number_text(out, OutputFunctionCall(outfn, value)); break;
    case ValueKind::Date: append_datetime(out, value, DATEOID); break;
    case ValueKind::Timestamp: append_datetime(out, value, TIMESTAMPOID); break;
    case ValueKind::TimestampTz: append_datetime(out, value, TIMESTAMPTZOID); break;
    case ValueKind::Json: append_json_text(out, OutputFunctionCall(outfn, value)); break;
    case ValueKind::Jsonb: {
        // What jsonb_out does, minus its own buffer and the copy.
        Jsonb *jb = DatumGetJsonbP(value);
        JsonbToCString(out, &jb->root, VARSIZE(jb));
        break;
    }
    case ValueKind::Text: {
        text *t = DatumGetTextPP(value);
        append_json_string(out, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
        break;
    }
    case ValueKind::Uuid: append_uuid(out, DatumGetUUIDP(value)); break;
    default: {
        const char *s = OutputFunctionCall(outfn, value);
        append_json_string(out, s, strlen(s));
        break;
    }
    }
}

// One dimension of an array, recursively, as array_dim_to_jsonb() does.
void append_array_dim(StringInfo out, int dim, int ndims, const int *dims, const Datum *values,
                      const bool *nulls, int *index, const ElementInfo *elem) {
    appendStringInfoCharMacro(out, '[');
    for (int i = 0; i < dims[dim]; i++) {
        if (i > 0) appendStringInfoCharMacro(out, ',');
        if (dim + 1 < ndims) {
            append_array_dim(out, dim + 1, ndims, dims, values, nulls, index, elem);
            continue;
        }
        if (nulls[*index])
            appendStringInfoString(out, "null");
        else
            append_simple(out, values[*index], elem->kind, const_cast<FmgrInfo *>(&elem->out));
        (*index)++;
    }
    appendStringInfoCharMacro(out, ']');
}

void append_array(StringInfo out, Datum value, const ElementInfo *elem) {
    ArrayType *array = DatumGetArrayTypeP(value);
    int ndims = ARR_NDIM(array);
    if (ndims == 0) {
        appendStringInfoString(out, "[]");
        return;
    }
    Datum *values;
    bool *nulls;
    int count;
    deconstruct_array(array, elem->type, elem->len, elem->byval, elem->align, &values, &nulls, &count);
    int index = 0;
    append_array_dim(out, 0, ndims, ARR_DIMS(array), values, nulls, &index, elem);
}

void append_via_to_jsonb(StringInfo out, Datum value, FmgrInfo *to_jsonb) {
    Jsonb *jb = DatumGetJsonbP(FunctionCall1(to_jsonb, value));
    JsonbToCString(out, &jb->root, VARSIZE(jb));
}

}  // namespace

void classify_column(ColumnInfo *col, Oid typid, MemoryContext cxt) {
    col->kind = kind_of_type(typid);
    if (col->kind == ValueKind::Array) {
        col->element = element_info(typid, cxt);
        // Arrays of composites and the like: let to_jsonb do the whole value.
        if (col->element->kind == ValueKind::ViaToJsonb || col->element->kind == ValueKind::Array)
            col->kind = ValueKind::ViaToJsonb;
    }
    if (col->kind == ValueKind::ViaToJsonb) {
        col->to_jsonb = bind_to_jsonb(typid, cxt);
        return;
    }
    Oid outfn;
    bool varlena;
    getTypeOutputInfo(typid, &outfn, &varlena);
    fmgr_info_cxt(outfn, &col->out, cxt);
}

void append_json_string(StringInfo out, const char *s, size_t n) {
    // Escape in chunks so a huge value never asks for six times its size at once.
    constexpr size_t kChunk = 64 * 1024;
    size_t i = 0;
    do {
        size_t end = i + std::min(kChunk, n - i);
        enlargeStringInfo(out, static_cast<int>((end - i) * 6 + 2));  // worst case: all \u00XX, 2 quotes
        char *dst = out->data + out->len;
        if (i == 0) *dst++ = '"';
        while (i < end) {
            size_t run = json_clean_run(s + i, end - i);
            memcpy(dst, s + i, run);
            dst += run;
            i += run;
            if (i < end) dst += json_escape_byte(static_cast<unsigned char>(s[i++]), dst);
        }
        if (i == n) *dst++ = '"';
        *dst = '\0';
        out->len = static_cast<int>(dst - out->data);
    } while (i < n);
}

void append_json_value(StringInfo out, Datum value, const ColumnInfo *col) {
    switch (col->kind) {
    case ValueKind::Array: append_array(out, value, col->element); break;
    case ValueKind::ViaToJsonb: append_via_to_jsonb(out, value, col->to_jsonb); break;
    default: append_simple(out, value, col->kind, const_cast<FmgrInfo *>(&col->out)); break;
    }
}

Omission append_json_value_within(StringInfo out, Datum value, const ColumnInfo *col, int16 attlen,
                                  Size image_jsonb, Size *size, Size *jsonb_size) {
    int start = out->len;
    if (attlen != -1) {  // fixed-length (or cstring): small
        append_json_value(out, value, col);
        *size = attlen > 0 ? static_cast<Size>(attlen) : strlen(DatumGetCString(value));
        *jsonb_size = out->len - start;
        return Omission::None;
    }
    // Uncompressed size, read from the header: a value too large is never detoasted.
    *size = toast_raw_datum_size(value) - VARHDRSZ;
    if (*size > kJsonbMaxSize) return Omission::ValueTooLarge;
    Size room = kMaxRecordSize > static_cast<Size>(out->len) ? kMaxRecordSize - out->len : 0;
    Size image_room = kJsonbMaxSize > image_jsonb ? kJsonbMaxSize - image_jsonb : 0;
    if (col->kind == ValueKind::Text || col->kind == ValueKind::Other) {
        // A JSON string: jsonb holds its bytes; the record its escaped form (up to 6x).
        const char *s;
        Size n;
        if (col->kind == ValueKind::Text) {
            if (*size > image_room) return Omission::ImageTooLarge;  // known without detoasting
            text *t = DatumGetTextPP(value);
            s = VARDATA_ANY(t);
            n = VARSIZE_ANY_EXHDR(t);
        } else {
            s = OutputFunctionCall(const_cast<FmgrInfo *>(&col->out), value);
            n = strlen(s);  // e.g. bytea's hex: twice its size
            if (n > kJsonbMaxSize) return Omission::ValueTooLarge;
        }
        if (n > image_room) return Omission::ImageTooLarge;
        if (6 * n + 2 > room && json_string_size(s, n) > room) return Omission::RecordTooLarge;
        append_json_string(out, s, n);
        *jsonb_size = n;
        return Omission::None;
    }
    // json: its text as is; jsonb, arrays, composites, numbers: at most 8x their size (escapes,
    // number texts), which must fit before rendering (a StringInfo over 1 GB is an ERROR).
    Size bound = col->kind == ValueKind::Json ? *size + 2 : 8 * *size + 64;
    if (bound > room) return Omission::RecordTooLarge;
    append_json_value(out, value, col);
    *jsonb_size = out->len - start;
    if (*jsonb_size > image_room) {
        out->len = start;
        out->data[start] = '\0';
        return Omission::ImageTooLarge;
    }
    return Omission::None;
}

void append_omitted(StringInfo out, Size size, Omission why) {
    const char *reason = why == Omission::ValueTooLarge   ? "over jsonb's limit of 268435455 bytes"
                         : why == Omission::ImageTooLarge ? "the row's jsonb would exceed 268435455 bytes"
                                                          : "the record would exceed 1 GB";
    appendStringInfo(out, "\"<pgtrail: value of " UINT64_FORMAT " bytes omitted: %s>\"", static_cast<uint64>(size), reason);
}

}  // namespace pgtrail
