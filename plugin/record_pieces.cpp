// Hands each record to the walsender: whole, or, when the consumer asked for max-message-bytes
// and the record is longer, in pieces (docs/FORMAT.md, "Records in pieces"), so that no single
// CopyData message, and no client buffer sized for one, is larger than the consumer wants.
#include "options.h"
#include "pgtrail.h"

namespace pgtrail {

namespace {

constexpr char kMorePiece = '+';  // a piece with more of its record after it
constexpr char kLastPiece = '=';  // the record's last piece

// The length of the next piece's data: at most limit bytes, ending before a UTF-8 character's
// start (or at the record's end), so that each piece is valid text on its own.
int piece_length(const char *data, int left, int limit) {
    if (left <= limit) return left;
    int n = limit;
    while (n > 0 && (static_cast<unsigned char>(data[n]) & 0xC0) == 0x80) n--;
    return n > 0 ? n : limit;  // not UTF-8: cut anywhere, the consumer joins bytes
}

// The record (after the writer's header of start bytes) goes out as pieces of at most max_bytes.
// ctx->out gets a piece-sized buffer of its own, in the context that owns the record's, so the
// walsender sends from that; the record's buffer is freed afterwards, so a huge record's memory
// is not kept. (An error in between leaves ctx->out valid and the record to its context.)
void write_in_pieces(LogicalDecodingContext *ctx, int start, int max_bytes) {
    StringInfoData record = *ctx->out;
    MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(record.data));
    initStringInfo(ctx->out);
    MemoryContextSwitchTo(old);
    const char *data = record.data + start;
    int left = record.len - start;
    while (left > 0) {
        int n = piece_length(data, left, max_bytes - 1);
        bool last = n == left;
        // Only the last write carries the record's LSN (the walsender sends 0 with the others).
        OutputPluginPrepareWrite(ctx, last);
        appendStringInfoChar(ctx->out, last ? kLastPiece : kMorePiece);
        appendBinaryStringInfo(ctx->out, data, n);
        OutputPluginWrite(ctx, last);
        data += n;
        left -= n;
    }
    pfree(record.data);
}

}  // namespace

int begin_record(LogicalDecodingContext *ctx) {
    OutputPluginPrepareWrite(ctx, true);
    return ctx->out->len;
}

void end_record(LogicalDecodingContext *ctx, int start) {
    const auto *state = static_cast<const PluginState *>(ctx->output_plugin_private);
    int max_bytes = state->options->max_message_bytes;
    if (max_bytes == 0 || ctx->out->len - start <= max_bytes) {
        OutputPluginWrite(ctx, true);
        return;
    }
    write_in_pieces(ctx, start, max_bytes);
}

}  // namespace pgtrail
