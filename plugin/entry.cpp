// The plugin's entry points: thin extern "C" callbacks that forward to C++ through
// a guard, so no C++ exception ever unwinds into PostgreSQL.
#include <utility>

#include "cpp_guard.h"
#include "options.h"
#include "pgtrail.h"

extern "C" {
PGTRAIL_MODULE_MAGIC;
// PGDLLEXPORT: from 16 on, PGXS builds modules with symbols hidden by default.
PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);
}

namespace pgtrail {

namespace {

// Runs body; a C++ exception becomes an ereport(ERROR), raised only after the catch
// block is left so nothing with a destructor is live when PostgreSQL longjmps.
template <typename Body>
void guarded(Body &&body) {
    CppError error = run_catching(std::forward<Body>(body));
    switch (error.kind) {
    case CppErrorKind::None: return;
    case CppErrorKind::BadOption:
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("pgtrail: %s", error.message)));
        break;
    case CppErrorKind::OutOfMemory:
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("pgtrail: out of memory")));
        break;
    case CppErrorKind::Internal:
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("pgtrail: %s", error.message)));
        break;
    }
}

PluginState *state_of(LogicalDecodingContext *ctx) {
    return static_cast<PluginState *>(ctx->output_plugin_private);
}

void delete_options(void *arg) {
    delete static_cast<PluginOptions *>(arg);
}

// Builds the options from the slot's arguments, owned by the decoding context's memory. Every
// C++ allocation (the options object included) happens inside the guard.
PluginOptions *parse_options(LogicalDecodingContext *ctx, List *args) {
    auto *cleanup = static_cast<MemoryContextCallback *>(MemoryContextAllocZero(ctx->context, sizeof(MemoryContextCallback)));
    PluginOptions *options = nullptr;
    guarded([&] { options = new PluginOptions(); });
    cleanup->func = delete_options;
    cleanup->arg = options;
    MemoryContextRegisterResetCallback(ctx->context, cleanup);
    ListCell *lc;
    foreach (lc, args) {
        DefElem *elem = static_cast<DefElem *>(lfirst(lc));
        const char *value = elem->arg ? strVal(elem->arg) : nullptr;
        guarded([&] { apply_option(*options, elem->defname, value); });
    }
    return options;
}

void startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init) {
    auto *state = static_cast<PluginState *>(MemoryContextAllocZero(ctx->context, sizeof(PluginState)));
    state->change_cxt = AllocSetContextCreate(ctx->context, "pgtrail change", ALLOCSET_DEFAULT_SIZES);
    state->options = parse_options(ctx, ctx->output_plugin_options);
    set_redact_key(state->options->redact_key.data(), static_cast<int>(state->options->redact_key.size()));
    ctx->output_plugin_private = state;
    opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
    opt->receive_rewrites = false;
    relinfo_cache_init(state, ctx->context);
    reset_origin_verdicts();
}

// Runs a callback's work in the per-change context, reset afterwards.
template <typename Body>
void in_change_context(LogicalDecodingContext *ctx, Body &&body) {
    PluginState *state = state_of(ctx);
    MemoryContext old = MemoryContextSwitchTo(state->change_cxt);
    body(state);
    MemoryContextSwitchTo(old);
    MemoryContextReset(state->change_cxt);
}

}  // namespace

}  // namespace pgtrail

using namespace pgtrail;

extern "C" {

static void pgtrail_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init) {
    startup(ctx, opt, is_init);
}

static void pgtrail_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
    in_change_context(ctx, [&](PluginState *) { write_begin(ctx, txn); });
}

static void pgtrail_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
    in_change_context(ctx, [&](PluginState *) { write_commit(ctx, txn); });
}

static void pgtrail_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
                           ReorderBufferChange *change) {
    in_change_context(ctx, [&](PluginState *state) { write_change(ctx, state, rel, change); });
}

static void pgtrail_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations,
                             Relation relations[], ReorderBufferChange *change) {
    in_change_context(ctx, [&](PluginState *state) { write_truncate(ctx, state, nrelations, relations, change); });
}

static void pgtrail_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                            const char *prefix, Size size, const char *message) {
    in_change_context(ctx, [&](PluginState *state) {
        write_message(ctx, state, txn, lsn, transactional, prefix, size, message);
    });
}

static bool pgtrail_filter_by_origin(LogicalDecodingContext *ctx, RepOriginId origin_id) {
    return origin_is_excluded(state_of(ctx), origin_id);
}

void _PG_output_plugin_init(OutputPluginCallbacks *cb) {
    cb->startup_cb = pgtrail_startup;
    cb->begin_cb = pgtrail_begin;
    cb->change_cb = pgtrail_change;
    cb->truncate_cb = pgtrail_truncate;
    cb->commit_cb = pgtrail_commit;
    cb->message_cb = pgtrail_message;
    cb->filter_by_origin_cb = pgtrail_filter_by_origin;
    // No shutdown callback: everything lives in ctx->context, whose reset callback frees the C++ options.
}

}  // extern "C"
