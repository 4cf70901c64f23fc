// pgtrail records -> events: one record is one event.
#include "decode/pgtrail_decoder.h"

#include <string>

#include "json_escape.h"

namespace pgtrail {

void PgtrailDecoder::decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) {
    decode_record(payload, false, wal_start, handler);
}

void PgtrailDecoder::decode_padded(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) {
    decode_record(payload, true, wal_start, handler);
}

void PgtrailDecoder::decode_record(std::string_view payload, bool padded, std::uint64_t wal_start, EventHandler &handler) {
    std::optional<RecordAssembler::Ready> ready = take_piece(payload, wal_start);
    if (!ready) return;  // a piece: the record is not whole yet
    dispatch(parse(ready->record, padded || ready->joined, wal_start), handler);
    parser_.release_large_buffers();  // the handler is done with the record's views
}

std::optional<RecordAssembler::Ready> PgtrailDecoder::take_piece(std::string_view payload, std::uint64_t wal_start) {
    try {
        return pieces_.take(payload);
    } catch (const DecodeError &error) {
        char lsn[24];
        throw DecodeError(std::string(error.what()) + " at " + std::string(lsn, format_lsn(wal_start, lsn)));
    }
}

const Record &PgtrailDecoder::parse(std::string_view payload, bool padded, std::uint64_t wal_start) {
    try {
        return padded ? parser_.parse_padded(payload) : parser_.parse(payload);
    } catch (const RecordError &error) {
        char lsn[24];
        throw DecodeError(std::string(error.what()) + " in the pgtrail record at " +
                          std::string(lsn, format_lsn(wal_start, lsn)));
    }
}

void PgtrailDecoder::dispatch(const Record &r, EventHandler &handler) {
    switch (r.op) {
    case 'B': handler.on_begin(BeginEvent{r.xid, r.lsn, r.ts}); break;
    case 'C': handler.on_commit(CommitEvent{r.lsn, r.ts}); break;
    case 'M': handler.on_message(MessageEvent{r.lsn, r.transactional, r.prefix, r.content}); break;
    case 'T': handler.on_truncate(TruncateEvent{r.lsn, r.schema, r.table, r.cascade, r.restart_identity}); break;
    case 'I':
    case 'U':
    case 'D':
        change_.op = r.op;
        change_.lsn = r.lsn;
        change_.schema = r.schema;
        change_.table = r.table;
        change_.key_columns = r.pk;
        change_.before = r.before;
        change_.after = r.after;
        change_.before_key = r.before_key;
        change_.after_key = r.after_key;
        change_.unchanged = r.unchanged;
        change_.lossy = r.lossy;
        handler.on_row_change(change_);
        break;
    default: break;  // a later op this sink does not know: nothing to record
    }
}

}  // namespace pgtrail
