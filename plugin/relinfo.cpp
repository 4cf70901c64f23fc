// Per-relation metadata cache: names pre-escaped, output functions, key columns,
// filters and publication actions, computed once and dropped on invalidation.
#include "options.h"
#include "pgtrail.h"

namespace pgtrail {

namespace {

HTAB *rel_cache = nullptr;          // lives in the decoding session's memory
MemoryContext cache_cxt = nullptr;  // parent of the cache and of every entry's context
bool have_invalid = false;          // some entry was invalidated since the last sweep
bool callbacks_registered = false;  // invalidation callbacks cannot be unregistered

void invalidate_matching(Oid relid) {
    if (!rel_cache) return;
    HASH_SEQ_STATUS status;
    hash_seq_init(&status, rel_cache);
    while (auto *entry = static_cast<RelInfo *>(hash_seq_search(&status)))
        if (relid == InvalidOid || entry->relid == relid || entry->target_relid == relid) {
            entry->valid = false;
            have_invalid = true;
        }
}

void on_relcache_invalidation(Datum, Oid relid) {
    invalidate_matching(relid);
}

// Types, schemas and publications change what every entry holds.
void on_syscache_invalidation(Datum, int, uint32) {
    invalidate_matching(InvalidOid);
}

void forget_cache(void *) {
    rel_cache = nullptr;
    cache_cxt = nullptr;
}

// The relation reported for rel: its topmost partition root when partition-root is on.
Oid reported_relid(const PluginOptions &options, Relation rel) {
    if (!options.partition_root || !rel->rd_rel->relispartition) return RelationGetRelid(rel);
    List *ancestors = get_partition_ancestors(RelationGetRelid(rel));
    return ancestors ? llast_oid(ancestors) : RelationGetRelid(rel);
}

// The primary key's index, deferrable or not (InvalidOid without one). rd_pkindex leaves a
// deferrable one out (on 15 to 18), so look for it in the index list then.
Oid primary_key_index(Relation rel) {
    if (OidIsValid(rel->rd_pkindex)) return rel->rd_pkindex;
    List *indexes = RelationGetIndexList(rel);
    Oid found = InvalidOid;
    ListCell *lc;
    foreach (lc, indexes) {
        HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
        if (!HeapTupleIsValid(tuple)) continue;
        bool primary = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple))->indisprimary;
        ReleaseSysCache(tuple);
        if (primary) {
            found = lfirst_oid(lc);
            break;
        }
    }
    list_free(indexes);
    return found;
}

// Key column numbers: the replica identity's (what the WAL carries as the old key: the primary
// key under DEFAULT, the index under USING INDEX), else the primary key (FULL, NOTHING, a
// deferrable primary key), else none.
void key_columns(Relation rel, int *nkeys, AttrNumber **keys) {
    *nkeys = 0;
    RelationGetIndexList(rel);  // fills rd_pkindex and rd_replidindex
    Oid index = OidIsValid(rel->rd_replidindex) ? rel->rd_replidindex : primary_key_index(rel);
    if (!OidIsValid(index)) return;
    HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tuple)) return;
    auto *form = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    *nkeys = form->indnkeyatts;
    *keys = static_cast<AttrNumber *>(palloc(sizeof(AttrNumber) * (*nkeys > 0 ? *nkeys : 1)));
    for (int i = 0; i < *nkeys; i++)
        (*keys)[i] = form->indkey.values[i];
    ReleaseSysCache(tuple);
}

// "schema":"s","table":"t","pk":["a","b"]; *key_names: "a, b" (for log messages)
const char *render_head(Relation target, int *len, const char **key_names) {
    StringInfoData names;
    initStringInfo(&names);
    StringInfoData head;
    initStringInfo(&head);
    const char *schema = get_namespace_name(RelationGetNamespace(target));
    const char *table = RelationGetRelationName(target);
    appendStringInfoString(&head, "\"schema\":");
    append_json_string(&head, schema, strlen(schema));
    appendStringInfoString(&head, ",\"table\":");
    append_json_string(&head, table, strlen(table));
    appendStringInfoString(&head, ",\"pk\":[");
    int nkeys;
    AttrNumber *keys;
    key_columns(target, &nkeys, &keys);
    for (int i = 0; i < nkeys; i++) {
        if (i > 0) appendStringInfoChar(&head, ',');
        const char *name = NameStr(TupleDescAttr(RelationGetDescr(target), keys[i] - 1)->attname);
        append_json_string(&head, name, strlen(name));
        appendStringInfo(&names, "%s%s", i > 0 ? ", " : "", name);
    }
    appendStringInfoChar(&head, ']');
    *len = head.len;
    *key_names = names.data;
    return head.data;
}

// include-tables / exclude-tables: a partition passes when it or one of its ancestors is
// included (naming the root selects its partitions) and none of them is excluded.
bool passes_table_filters(const PluginOptions &options, Relation rel) {
    Oid relid = RelationGetRelid(rel);
    List *rels = list_make1_oid(relid);
    if (rel->rd_rel->relispartition) rels = list_concat(rels, get_partition_ancestors(relid));
    bool included = options.include_tables.empty();
    ListCell *lc;
    foreach (lc, rels) {
        const char *schema = get_namespace_name(get_rel_namespace(lfirst_oid(lc)));
        const char *table = get_rel_name(lfirst_oid(lc));
        if (any_table_matches(options.exclude_tables, schema, table)) return false;
        included = included || any_table_matches(options.include_tables, schema, table);
    }
    return included;
}

// redact / ignore-columns match the reported table (the partition root when reported so).
void apply_column_rules(const PluginOptions &options, RelInfo *info, Relation target) {
    if (options.redact.empty() && options.ignore_columns.empty()) return;
    const char *schema = get_namespace_name(RelationGetNamespace(target));
    const char *table = RelationGetRelationName(target);
    for (int i = 0; i < info->desc->natts; i++) {
        ColumnInfo *col = &info->columns[i];
        if (col->omitted) continue;
        col->redacted = any_column_matches(options.redact, schema, table, col->name);
        col->ignored = any_column_matches(options.ignore_columns, schema, table, col->name);
        info->any_redacted = info->any_redacted || col->redacted;
        info->any_ignored = info->any_ignored || col->ignored;
    }
}

void build_columns(RelInfo *info) {
    TupleDesc desc = info->desc;
    info->columns = static_cast<ColumnInfo *>(palloc0(sizeof(ColumnInfo) * (desc->natts > 0 ? desc->natts : 1)));
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        ColumnInfo *col = &info->columns[i];
        col->omitted = attr->attisdropped || column_is_virtual(attr);
        if (col->omitted) continue;
        col->name = pstrdup(NameStr(attr->attname));
        StringInfoData key;
        initStringInfo(&key);
        append_json_string(&key, col->name, strlen(col->name));
        appendStringInfoChar(&key, ':');
        col->key = key.data;
        col->key_len = key.len;
        classify_column(col, attr->atttypid, info->cxt);
    }
}

// Fills an entry for rel; every allocation it keeps goes to the entry's own context.
void build_entry(PluginState *state, RelInfo *info, Relation rel) {
    const PluginOptions &options = *state->options;
    info->cxt = AllocSetContextCreate(cache_cxt, "pgtrail relation", ALLOCSET_SMALL_SIZES);
    MemoryContext old = MemoryContextSwitchTo(info->cxt);
    info->target_relid = reported_relid(options, rel);
    Relation target = info->target_relid == RelationGetRelid(rel) ? rel : RelationIdGetRelation(info->target_relid);
    // With constraints: attmissingval fills columns added (with a default) after a row was written.
    info->desc = CreateTupleDescCopyConstr(RelationGetDescr(target));
    if (target != rel)
        info->map = convert_tuples_by_name(CreateTupleDescCopyConstr(RelationGetDescr(rel)), info->desc);
    info->head = render_head(target, &info->head_len, &info->key_names);
    const char *own_key_names;
    if (target != rel) info->own_head = render_head(rel, &info->own_head_len, &own_key_names);
    info->tracked = passes_table_filters(options, rel);
    build_columns(info);
    apply_column_rules(options, info, target);
    publication_actions(options, RelationGetRelid(rel), info->target_relid, &info->publish_insert,
                        &info->publish_update, &info->publish_delete, &info->publish_truncate);
    if (target != rel) RelationClose(target);
    MemoryContextSwitchTo(old);
    info->valid = true;
}

}  // namespace

void relinfo_cache_init(PluginState *state, MemoryContext parent) {
    MemoryContext cxt = AllocSetContextCreate(parent, "pgtrail relation cache", ALLOCSET_DEFAULT_SIZES);
    cache_cxt = cxt;
    HASHCTL ctl;
    memset(&ctl, 0, sizeof(ctl));
    ctl.keysize = sizeof(Oid);
    ctl.entrysize = sizeof(RelInfo);
    ctl.hcxt = cxt;
    rel_cache = hash_create("pgtrail relations", 128, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    auto *reset = static_cast<MemoryContextCallback *>(MemoryContextAllocZero(cxt, sizeof(MemoryContextCallback)));
    reset->func = forget_cache;
    MemoryContextRegisterResetCallback(cxt, reset);
    if (callbacks_registered) return;
    CacheRegisterRelcacheCallback(on_relcache_invalidation, 0);
    CacheRegisterSyscacheCallback(TYPEOID, on_syscache_invalidation, 0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, on_syscache_invalidation, 0);
    CacheRegisterSyscacheCallback(PUBLICATIONOID, on_syscache_invalidation, 0);
    CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, on_syscache_invalidation, 0);
    CacheRegisterSyscacheCallback(PUBLICATIONNAMESPACEMAP, on_syscache_invalidation, 0);
    callbacks_registered = true;
}

void relinfo_sweep() {
    if (!rel_cache || !have_invalid) return;
    HASH_SEQ_STATUS status;
    hash_seq_init(&status, rel_cache);
    while (auto *entry = static_cast<RelInfo *>(hash_seq_search(&status))) {
        if (entry->valid) continue;
        if (entry->cxt) MemoryContextDelete(entry->cxt);
        hash_search(rel_cache, &entry->relid, HASH_REMOVE, nullptr);
    }
    have_invalid = false;
}

RelInfo *relinfo_get(PluginState *state, Relation rel) {
    Oid relid = RelationGetRelid(rel);
    bool found;
    auto *info = static_cast<RelInfo *>(hash_search(rel_cache, &relid, HASH_ENTER, &found));
    if (found && info->valid) return info;
    if (found && info->cxt) MemoryContextDelete(info->cxt);
    // Reset to a known state first: a build that fails leaves an invalid, empty entry.
    memset(info, 0, sizeof(RelInfo));
    info->relid = relid;
    build_entry(state, info, rel);
    return info;
}

}  // namespace pgtrail
