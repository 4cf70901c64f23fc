-- Test-only stand-in for the sink (`pgtrail run`): reads the pgtrail slot through SQL and writes
-- `changes` rows with the sink's column semantics (sql/changes.sql, issue 3):
--   commit_lsn   the B record's lsn (the commit record's start) as a number; ordinal: the change's place in its transaction
--   committed_at the B record's ts; transaction_id its xid; position the change's own lsn as a number
--   primary_key  the single key column's text, or the compact JSON array '[v1,v2]' of a composite key's values
--   moved_from   for an UPDATE that changed the key, the old key rendered the same way; else NULL
--   context      the content of the latest transactional `_bemi` message before the change, else {}
-- Plus tt_snapshot(): baseline rows (operation SNAPSHOT) of the given tables, written while nothing else
-- writes to them, at the slot's current position (what `pgtrail snapshot` will do with an exported snapshot).

-- A key as the sink renders it: the single key column's text, or '[v1,v2]'; NULL without a key or
-- when the image lacks a key column.
CREATE OR REPLACE FUNCTION tt_render_key(pk text[], image jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN cardinality(pk) = 0 OR image IS NULL OR NOT image ?& pk THEN NULL
        WHEN cardinality(pk) = 1 THEN image ->> pk[1]
        ELSE '[' || (SELECT string_agg((image -> c)::text, ',' ORDER BY n)
                     FROM unnest(pk) WITH ORDINALITY AS k(c, n)) || ']' END
$$;

CREATE OR REPLACE PROCEDURE tt_feed_changes(slot name, publication text)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    rec jsonb;
    op text;
    xid bigint;
    commit_lsn bigint;
    ts timestamptz;
    ctx jsonb;
    pending jsonb[];
    image jsonb;
    pk text[];
    new_key text;
    old_key text;
BEGIN
    FOR r IN SELECT g.data FROM pg_logical_slot_get_changes(slot, NULL, NULL, 'publications', publication)
                 WITH ORDINALITY AS g(lsn, xid, data, n) ORDER BY g.n
    LOOP
        rec := r.data::jsonb;
        op := rec ->> 'op';
        IF op = 'B' THEN
            xid := (rec ->> 'xid')::bigint;
            commit_lsn := ((rec ->> 'lsn')::pg_lsn - '0/0'::pg_lsn)::bigint;
            ts := (rec ->> 'ts')::timestamptz;
            ctx := '{}';
            pending := '{}';
        ELSIF op = 'M' THEN
            IF (rec ->> 'transactional')::boolean AND rec ->> 'prefix' = '_bemi' THEN
                ctx := rec ->> 'content';
            END IF;
        ELSIF op IN ('I', 'U', 'D', 'T') THEN
            image := CASE WHEN op = 'D' THEN rec -> 'before' ELSE rec -> 'after' END;
            pk := ARRAY(SELECT jsonb_array_elements_text(rec -> 'pk'));
            new_key := tt_render_key(pk, CASE WHEN op <> 'T' THEN image END);
            old_key := tt_render_key(pk, CASE WHEN op = 'U' AND jsonb_typeof(rec -> 'before') = 'object' THEN rec -> 'before' END);
            pending := pending || jsonb_build_object(
                'primary_key', new_key,
                'moved_from', CASE WHEN old_key <> new_key THEN old_key END,
                'before', rec -> 'before',
                'after', rec -> 'after',
                'context', ctx,
                'schema', rec ->> 'schema',
                'table', rec ->> 'table',
                'operation', CASE op WHEN 'I' THEN 'CREATE' WHEN 'U' THEN 'UPDATE'
                                     WHEN 'D' THEN 'DELETE' ELSE 'TRUNCATE' END,
                'position', ((rec ->> 'lsn')::pg_lsn - '0/0'::pg_lsn)::bigint,
                'unchanged', rec -> 'unchanged');
        ELSIF op = 'C' THEN
            INSERT INTO changes (primary_key, before, after, context, database, schema, "table", operation,
                                 committed_at, queued_at, transaction_id, position, commit_lsn, ordinal, unchanged,
                                 moved_from)
            SELECT p ->> 'primary_key', nullif(p -> 'before', 'null'), nullif(p -> 'after', 'null'), p -> 'context',
                   current_database(),
                   p ->> 'schema', p ->> 'table', p ->> 'operation', ts, clock_timestamp(), xid,
                   (p ->> 'position')::bigint, commit_lsn,
                   (n - 1)::integer,
                   CASE WHEN p ? 'unchanged' AND jsonb_typeof(p -> 'unchanged') = 'array'
                        THEN ARRAY(SELECT jsonb_array_elements_text(p -> 'unchanged')) END,
                   p ->> 'moved_from'
            FROM unnest(pending) WITH ORDINALITY AS x(p, n);
            pending := '{}';
        END IF;
    END LOOP;
END
$$;

-- Baseline rows for `tables`, at the slot's confirmed position; call it while nothing writes to them.
CREATE OR REPLACE PROCEDURE tt_snapshot(slot name, tables regclass[])
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass;
    at_lsn bigint;
    names record;
    cols text[];
    next_ordinal integer := 0;
    added integer;
BEGIN
    SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint INTO at_lsn FROM pg_replication_slots WHERE slot_name = slot;
    FOREACH rel IN ARRAY tables LOOP
        SELECT n.nspname AS schema_name, c.relname AS table_name INTO names
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
        cols := pgtrail.key_columns(rel);
        EXECUTE format($q$
            INSERT INTO changes (primary_key, after, database, schema, "table", operation, committed_at,
                                 queued_at, transaction_id, position, commit_lsn, ordinal)
            SELECT CASE WHEN cardinality($1::text[]) = 1 THEN r ->> $1[1]
                        ELSE '[' || (SELECT string_agg((r -> c)::text, ',' ORDER BY n)
                                     FROM unnest($1::text[]) WITH ORDINALITY AS k(c, n)) || ']' END,
                   r, current_database(), $2, $3, 'SNAPSHOT', now(), now(), txid_current(), $4, $4,
                   $5 + (row_number() OVER () - 1)::integer
            FROM (SELECT to_jsonb(snap_row.*) AS r FROM %s snap_row) s$q$, rel)
            USING cols, names.schema_name, names.table_name, at_lsn, next_ordinal;
        GET DIAGNOSTICS added = ROW_COUNT;
        next_ordinal := next_ordinal + added;
    END LOOP;
END
$$;
