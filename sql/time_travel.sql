-- Time travel over the changes table: a row or a whole table as it was at an instant, a row's history.
-- Needs pgtrail_base.sql. Idempotent.
--
-- "As of at" means: every change with committed_at <= at, applied in (commit_lsn, ordinal) order.
-- Rows are told apart by schema, table and primary_key. CREATE, UPDATE and SNAPSHOT (baseline) set the
-- row to "after" (columns named in "unchanged" keep their previous value); an UPDATE whose "before"
-- holds another key (moved_from, or for changes written before it the key in "before") moves the row from that key; DELETE removes it; TRUNCATE removes every row.

-- (only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
-- exists, which a managed service's role that owns schema pgtrail may lack)
DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- The condition on an UPDATE's "before" that finds the UPDATEs moving a row away from its key, for
-- a query whose parameters $cols_param, $key_param and $image_param are the key columns, the key and
-- the key's image: containment of the image (indexed, for the changes written before schema version 9,
-- by the changes table's _legacy_update_before_idx) when one is known, else the key computed from each
-- old image (not indexed). pgtrail.moved_away_condition uses it for those changes only.
CREATE OR REPLACE FUNCTION pgtrail.old_key_condition(
    key_image jsonb, cols_param integer, key_param integer, image_param integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN key_image IS NOT NULL THEN format('before @> $%s', image_param)
                ELSE format('pgtrail.key_of($%s, before) = $%s', cols_param, key_param) END
$$;
COMMENT ON FUNCTION pgtrail.old_key_condition(jsonb, integer, integer, integer) IS
    'The SQL condition on "before" finding UPDATEs that moved a row away from its key (indexed when the key''s image is known).';

-- The condition finding the UPDATEs that moved a row away from its key, for a query whose parameter
-- $spellings_param holds the key's spellings (and $cols_param, $key_param, $image_param as above):
-- moved_from, set by the writer since schema version 9 (indexed by _moved_from_idx), and for the
-- changes written before (commit_lsn up to pgtrail.key_move_cut) the old image. The cut is a literal
-- so that the planner can use the partial index _legacy_update_before_idx.
CREATE OR REPLACE FUNCTION pgtrail.moved_away_condition(
    key_image jsonb, spellings_param integer, cols_param integer, key_param integer, image_param integer) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cut bigint := pgtrail.key_move_cut(pgtrail.changes_table());
    moved text := format('moved_from = ANY ($%s)', spellings_param);
BEGIN
    IF cut IS NULL THEN
        RETURN moved;
    END IF;
    RETURN format('(%s OR (commit_lsn <= %s AND %s))', moved, cut,
                  pgtrail.old_key_condition(key_image, cols_param, key_param, image_param));
END
$$;
COMMENT ON FUNCTION pgtrail.moved_away_condition(jsonb, integer, integer, integer, integer) IS
    'The SQL condition finding UPDATEs that moved a row away from its key: moved_from, and "before" for changes written before it.';

-- The change that last decided row `key`, among changes with committed_at <= at (when at is given)
-- and ordered before (before_lsn, before_ordinal) (when given). Row gone or never seen: after is NULL.
CREATE OR REPLACE FUNCTION pgtrail.last_change(
    rel regclass, key text, at timestamptz, before_lsn bigint, before_ordinal integer,
    OUT commit_lsn bigint, OUT ordinal integer, OUT operation text, OUT after jsonb,
    OUT unchanged text[], OUT previous_key text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tbl regclass := pgtrail.changes_table();
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    cut constant text := '($4::timestamptz IS NULL OR committed_at <= $4)
                          AND ($5::bigint IS NULL OR (commit_lsn, ordinal) < ($5, $6))';
    found_before jsonb;
    ended record;
    key_object jsonb;
BEGIN
    -- The latest change recorded under this key (uses the schema, table, primary_key index).
    EXECUTE format('SELECT commit_lsn, ordinal, operation, after, unchanged, before FROM %s
                    WHERE schema = $1 AND "table" = $2 AND primary_key = ANY ($3) AND %s
                    ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1', tbl, cut)
        INTO commit_lsn, ordinal, operation, after, unchanged, found_before
        USING names.schema_name, names.table_name, pgtrail.key_spellings(key, cardinality(cols) > 1),
              at, before_lsn, before_ordinal;
    IF operation IS NULL OR operation NOT IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN
        after := NULL;
        RETURN;
    END IF;
    previous_key := coalesce(CASE WHEN operation = 'UPDATE' THEN pgtrail.key_of(cols, found_before) END, key);
    key_object := pgtrail.key_object(cols, after);
    -- A later TRUNCATE, or a later UPDATE that moved the row to another key, ended it.
    EXECUTE format('SELECT commit_lsn, ordinal, operation FROM %s
                    WHERE schema = $1 AND "table" = $2 AND %s AND (commit_lsn, ordinal) > ($7, $8)
                      AND (operation = ''TRUNCATE''
                           OR (operation = ''UPDATE'' AND before IS NOT NULL AND primary_key <> ALL ($3) AND %s))
                    ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1', tbl, cut,
                   pgtrail.moved_away_condition(key_object, 3, 9, 10, 11))
        INTO ended
        USING names.schema_name, names.table_name, pgtrail.key_spellings(key, cardinality(cols) > 1),
              at, before_lsn, before_ordinal, commit_lsn, ordinal, cols, key, key_object;
    IF ended.operation IS NOT NULL THEN
        commit_lsn := ended.commit_lsn;
        ordinal := ended.ordinal;
        operation := CASE ended.operation WHEN 'TRUNCATE' THEN 'TRUNCATE' ELSE 'MOVED' END;
        after := NULL;
        unchanged := NULL;
        previous_key := NULL;
    END IF;
END
$$;
COMMENT ON FUNCTION pgtrail.last_change(regclass, text, timestamptz, bigint, integer) IS
    'The change that last set or ended a row (canonical key) before a time and/or (commit_lsn, ordinal) cut.';

-- Fills the columns an UPDATE left out of "after" (unchanged TOASTed values) from the row's earlier images.
CREATE OR REPLACE FUNCTION pgtrail.fill_unchanged(
    rel regclass, image jsonb, missing text[], from_lsn bigint, from_ordinal integer, from_key text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    earlier record;
BEGIN
    WHILE coalesce(cardinality(missing), 0) > 0 LOOP
        earlier := pgtrail.last_change(rel, from_key, NULL, from_lsn, from_ordinal);
        EXIT WHEN earlier.after IS NULL;  -- unknown before this point: no baseline
        image := image || (SELECT coalesce(jsonb_object_agg(c, earlier.after -> c), '{}')
                           FROM unnest(missing) AS c WHERE earlier.after ? c);
        missing := ARRAY(SELECT c FROM unnest(missing) AS c WHERE NOT earlier.after ? c);
        EXIT WHEN earlier.unchanged IS NULL;
        from_key := earlier.previous_key;
        from_lsn := earlier.commit_lsn;
        from_ordinal := earlier.ordinal;
    END LOOP;
    RETURN image;
END
$$;
COMMENT ON FUNCTION pgtrail.fill_unchanged(regclass, jsonb, text[], bigint, integer, text) IS
    'A row image with its "unchanged" columns filled from the same row''s earlier changes.';

-- A row (canonical key) as of a time and/or just before a (commit_lsn, ordinal) position.
CREATE OR REPLACE FUNCTION pgtrail.row_state(
    rel regclass, key text, at timestamptz, before_lsn bigint, before_ordinal integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    last record := pgtrail.last_change(rel, key, at, before_lsn, before_ordinal);
BEGIN
    IF last.after IS NULL OR coalesce(cardinality(last.unchanged), 0) = 0 THEN
        RETURN last.after;
    END IF;
    RETURN pgtrail.fill_unchanged(rel, last.after, last.unchanged, last.commit_lsn, last.ordinal, last.previous_key);
END
$$;
COMMENT ON FUNCTION pgtrail.row_state(regclass, text, timestamptz, bigint, integer) IS
    'A row image (canonical key) as of a time and/or just before a (commit_lsn, ordinal) position; NULL if absent.';

-- The row as it was at `at`, as to_jsonb(row) would have shown it; NULL if it did not exist.
CREATE OR REPLACE FUNCTION pgtrail.row_as_of(rel regclass, key text, at timestamptz) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT pgtrail.row_state(rel, pgtrail.user_key(rel, key), pgtrail.within_retention(at), NULL, NULL)
$$;
COMMENT ON FUNCTION pgtrail.row_as_of(regclass, text, timestamptz) IS
    'Row `key` of `rel` as it was at `at` (jsonb like to_jsonb(row); NULL if absent): jsonb_populate_record(NULL::tbl, ...) types it.';

-- Every row of a table as of a time and/or just before a (commit_lsn, ordinal) position.
CREATE OR REPLACE FUNCTION pgtrail.table_state(
    rel regclass, at timestamptz, before_lsn bigint, before_ordinal integer)
RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    keys record := pgtrail.key_expressions(cols, 'c');
BEGIN
    RETURN QUERY EXECUTE format($query$
        WITH cut AS (
            SELECT commit_lsn, ordinal, operation, primary_key, before, after, unchanged
            FROM %1$s
            WHERE schema = $1 AND "table" = $2
              AND ($3::timestamptz IS NULL OR committed_at <= $3)
              AND ($4::bigint IS NULL OR (commit_lsn, ordinal) < ($4, $5))
        ), last_truncate AS (
            SELECT commit_lsn, ordinal FROM cut WHERE operation = 'TRUNCATE'
            ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1
        ), live AS (
            SELECT c.*, %2$s AS k, CASE WHEN c.operation = 'UPDATE' THEN %3$s END AS old_k
            FROM cut c LEFT JOIN last_truncate t ON true
            WHERE c.operation <> 'TRUNCATE'
              AND (t.commit_lsn IS NULL OR (c.commit_lsn, c.ordinal) > (t.commit_lsn, t.ordinal))
        ), events AS (
            SELECT k, commit_lsn, ordinal, operation, after, unchanged, coalesce(old_k, k) AS previous_key
            FROM live
            UNION ALL
            SELECT old_k, commit_lsn, ordinal, 'MOVED', NULL, NULL, NULL
            FROM live WHERE old_k <> k
        ), latest AS (
            SELECT DISTINCT ON (k) * FROM events WHERE k IS NOT NULL
            ORDER BY k, commit_lsn DESC, ordinal DESC
        )
        SELECT CASE WHEN coalesce(cardinality(unchanged), 0) > 0
                    THEN pgtrail.fill_unchanged($6, after, unchanged, commit_lsn, ordinal, previous_key::text)
                    ELSE after END
        FROM latest
        WHERE operation IN ('CREATE', 'UPDATE', 'SNAPSHOT')
        $query$, pgtrail.changes_table(), keys.from_primary_key, keys.from_before)
        USING names.schema_name, names.table_name, at, before_lsn, before_ordinal, rel;
END
$$;
COMMENT ON FUNCTION pgtrail.table_state(regclass, timestamptz, bigint, integer) IS
    'Every row image of a table as of a time and/or just before a (commit_lsn, ordinal) position.';

-- The whole table at `at`; exact when a baseline (SNAPSHOT rows) precedes `at`.
CREATE OR REPLACE FUNCTION pgtrail.table_as_of(rel regclass, at timestamptz) RETURNS SETOF jsonb
LANGUAGE sql STABLE AS $$
    SELECT * FROM pgtrail.table_state(rel, pgtrail.within_retention(at), NULL, NULL)
$$;
COMMENT ON FUNCTION pgtrail.table_as_of(regclass, timestamptz) IS
    'Every row of `rel` as it was at `at` (jsonb like to_jsonb(row)); exact from the baseline (SNAPSHOT rows) on.';

-- The changes of one row, oldest first, each with the full row after it and the columns it changed.
CREATE OR REPLACE FUNCTION pgtrail.history(rel regclass, key text)
RETURNS TABLE (committed_at timestamptz, operation text, diff jsonb, after jsonb, context jsonb,
               transaction_id bigint, id uuid, commit_lsn bigint, ordinal integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    k text := pgtrail.user_key(rel, key);
    spellings text[] := pgtrail.key_spellings(k, cardinality(cols) > 1);
    state jsonb;       -- the row at key k after the previous change; NULL: absent or not known
    previous jsonb;
    old_key text;
    key_object jsonb;  -- the key as it appears in images, for before @> key_object (changes before moved_from)
    c record;
BEGIN
    EXECUTE format('SELECT pgtrail.key_object($4, coalesce(after, before)) FROM %s
                    WHERE schema = $1 AND "table" = $2 AND primary_key = ANY ($3)
                      AND coalesce(after, before) IS NOT NULL LIMIT 1', pgtrail.changes_table())
        INTO key_object USING names.schema_name, names.table_name, spellings, cols;
    -- Each arm of the OR has its index (key; TRUNCATEs; moved_from, and the old image of the UPDATEs
    -- written before moved_from), so the query reads this row's changes, not the table's.
    FOR c IN EXECUTE format($query$
        SELECT id, committed_at, transaction_id, operation, context, primary_key, before, after, unchanged,
               commit_lsn, ordinal
        FROM %s
        WHERE schema = $1 AND "table" = $2
          AND (primary_key = ANY ($3) OR operation = 'TRUNCATE'
               OR (operation = 'UPDATE' AND before IS NOT NULL AND %s))
        ORDER BY commit_lsn, ordinal
        $query$, pgtrail.changes_table(), pgtrail.moved_away_condition(key_object, 3, 4, 5, 6))
        USING names.schema_name, names.table_name, spellings, cols, k, key_object
    LOOP
        history.committed_at := c.committed_at;
        history.operation := c.operation;
        history.context := c.context;
        history.transaction_id := c.transaction_id;
        history.id := c.id;
        history.commit_lsn := c.commit_lsn;
        history.ordinal := c.ordinal;
        IF c.operation = 'TRUNCATE' THEN
            CONTINUE WHEN state IS NULL;
            history.diff := pgtrail.diff(state, NULL);
            history.after := NULL;
            state := NULL;
        ELSIF c.operation = 'DELETE' THEN
            history.diff := pgtrail.diff(coalesce(state, c.before), NULL);
            history.after := NULL;
            state := NULL;
        ELSE
            old_key := coalesce(CASE WHEN c.operation = 'UPDATE' THEN pgtrail.key_of(cols, c.before) END, k);
            history.after := c.after;
            IF coalesce(cardinality(c.unchanged), 0) > 0 THEN
                history.after := pgtrail.fill_unchanged(rel, c.after, c.unchanged, c.commit_lsn, c.ordinal, old_key);
            END IF;
            previous := CASE WHEN old_key = k THEN state
                             ELSE pgtrail.row_state(rel, old_key, NULL, c.commit_lsn, c.ordinal) END;
            history.diff := CASE WHEN previous IS NOT NULL OR c.operation <> 'UPDATE'
                                 THEN pgtrail.diff(previous, history.after)
                                 WHEN c.before IS NOT NULL THEN pgtrail.diff(c.before, history.after) END;
            -- An UPDATE listed here under another primary_key moved the row away from k.
            state := CASE WHEN c.primary_key = ANY (spellings) THEN history.after END;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.history(regclass, text) IS
    'The changes of row `key` of `rel`, oldest first, with the row after each and diff {"col": [old, new]}.';
