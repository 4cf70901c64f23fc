-- Rewinding tables to an instant: the net effect of undoing every change committed after it, newest
-- first: each row changed since is set back to its state at the instant (time travel), one statement per
-- row that differs, however many changes it went through. Needs pgtrail_base.sql, time_travel.sql and
-- revert.sql (its statement builders). Idempotent.
--
-- A rewind refuses when a row it must write is not as the changes table last recorded it (changed
-- outside the recorded history, or by a change not recorded yet) unless forced, and always when the
-- history of a table begins (its baseline, SNAPSHOT rows) after the instant.

-- (only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
-- exists, which a managed service's role that owns schema pgtrail may lack)
DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- The tables with changes committed after `at`: names as recorded, and the table (NULL when it no
-- longer exists here).
CREATE OR REPLACE FUNCTION pgtrail.tables_changed_after(at timestamptz)
RETURNS TABLE (schema_name text, table_name text, rel regclass)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY EXECUTE format('SELECT DISTINCT schema, "table", to_regclass(format(''%%I.%%I'', schema, "table"))
                                 FROM %s WHERE committed_at > $1 ORDER BY 1, 2', pgtrail.changes_table())
        USING at;
END
$$;
COMMENT ON FUNCTION pgtrail.tables_changed_after(timestamptz) IS
    'The tables (schema, table, regclass or NULL if gone) with changes committed after `at`.';

-- The ids of the changes a rewind to `at` undoes: those committed after it, of `tables` (NULL: all).
-- Errors when a table's recorded history begins after `at` (its baseline was taken later).
CREATE OR REPLACE FUNCTION pgtrail.rewind_changes(at timestamptz, tables regclass[]) RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ids uuid[];
    baseline_table text;
    baseline_at timestamptz;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'rewind needs an instant' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    EXECUTE format($query$
        WITH chosen AS (
            SELECT n.schema_name, n.table_name FROM unnest($2::regclass[]) AS t(rel), pgtrail.relation_names(t.rel) AS n
        ), later AS (
            SELECT c.id, c.operation, c.schema, c."table", c.committed_at FROM %s c
            WHERE c.committed_at > $1
              AND ($2 IS NULL OR (c.schema, c."table") IN (SELECT schema_name, table_name FROM chosen))
        )
        SELECT (SELECT array_agg(id) FROM later WHERE operation <> 'SNAPSHOT'),
               (SELECT format('%%I.%%I', schema, "table") FROM later WHERE operation = 'SNAPSHOT' LIMIT 1),
               (SELECT min(committed_at) FROM later WHERE operation = 'SNAPSHOT')
        $query$, pgtrail.changes_table())
        INTO ids, baseline_table, baseline_at
        USING at, tables;
    IF baseline_at IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rewind to %: the recorded history of % begins after it (its baseline was taken at %)',
                at, baseline_table, baseline_at
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Rewind only to instants after the initial snapshot (pgtrail snapshot) of every table rewound.';
    END IF;
    RETURN coalesce(ids, '{}');
END
$$;
COMMENT ON FUNCTION pgtrail.rewind_changes(timestamptz, regclass[]) IS
    'The ids of the changes committed after `at` to `tables` (NULL: every table): what a rewind undoes.';

-- The first row a rewind to `at` must write that is not as the changes table last recorded it, described;
-- else NULL. Only rows changed after `at` are compared (every row when the table was truncated since).
CREATE OR REPLACE FUNCTION pgtrail.rewind_drift(at timestamptz, rel regclass) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    found record;
BEGIN
    EXECUTE format($query$
        WITH later AS (
            SELECT operation, primary_key, before FROM %1$s
            WHERE schema = $1 AND "table" = $2 AND committed_at > $3 AND operation <> 'SNAPSHOT'
        ), touched AS (
            SELECT pgtrail.normalize_key(primary_key, cardinality($4) > 1) AS k FROM later
            UNION SELECT pgtrail.key_of($4, before) FROM later WHERE operation = 'UPDATE'
        ), recorded AS (
            SELECT pgtrail.key_of($4, r) AS k, r::text AS img FROM pgtrail.table_state($5, NULL, NULL, NULL) AS r
        ), actual AS (
            SELECT pgtrail.key_of($4, to_jsonb(pgtrail_row.*)) AS k, to_jsonb(pgtrail_row.*)::text AS img FROM %2$s pgtrail_row
        )
        SELECT coalesce(r.k, a.k) AS k, r.img AS recorded, a.img AS actual
        FROM recorded r FULL JOIN actual a ON a.k = r.k
        WHERE r.img IS DISTINCT FROM a.img
          AND (EXISTS (SELECT FROM later WHERE operation = 'TRUNCATE') OR coalesce(r.k, a.k) IN (SELECT k FROM touched))
        LIMIT 1
        $query$, pgtrail.changes_table(), pgtrail.qualified_name(rel))
        INTO found
        USING names.schema_name, names.table_name, at, cols, rel;
    IF found.k IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN format('row with key %s of %s is not as the changes table last recorded it (changed outside the recorded history, '
                  'or its change has not reached the changes table yet): recorded %s, in the table %s', found.k,
                  pgtrail.qualified_name(rel), coalesce(left(found.recorded, 300), 'no row'), coalesce(left(found.actual, 300), 'no row'));
END
$$;
COMMENT ON FUNCTION pgtrail.rewind_drift(timestamptz, regclass) IS
    'Describes the first row changed after `at` whose current state differs from its last recorded image, or NULL.';

-- The tables a rewind to `at` writes: `tables`, or every table with changes after `at`; an error for one
-- that no longer exists.
CREATE OR REPLACE FUNCTION pgtrail.rewind_tables(at timestamptz, tables regclass[]) RETURNS regclass[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    gone text;
BEGIN
    IF tables IS NOT NULL THEN
        RETURN tables;
    END IF;
    SELECT string_agg(format('%I.%I', schema_name, table_name), ', ') INTO gone
    FROM pgtrail.tables_changed_after(at) WHERE rel IS NULL;
    IF gone IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rewind to %: % changed since, and no longer exist here', at, gone
            USING ERRCODE = 'undefined_table', HINT = 'Choose the tables to rewind (tables => ..., pgtrail rewind --tables).';
    END IF;
    RETURN ARRAY(SELECT rel FROM pgtrail.tables_changed_after(at));
END
$$;
COMMENT ON FUNCTION pgtrail.rewind_tables(timestamptz, regclass[]) IS
    'The tables a rewind to `at` writes: the given ones, or every table changed since (error if one is gone).';

-- How deep a table sits in the foreign keys among `tables`: 0 for one referencing none of them, else
-- one more than the deepest it references (capped, for cycles). Rows are deleted and updated deepest
-- first and inserted shallowest first, so a cascade never removes a row a later statement expects.
CREATE OR REPLACE FUNCTION pgtrail.foreign_key_depth(tables regclass[])
RETURNS TABLE (rel regclass, depth integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE edges AS (
        SELECT conrelid AS child, confrelid AS parent FROM pg_constraint
        WHERE contype = 'f' AND conrelid <> confrelid AND conrelid = ANY (tables) AND confrelid = ANY (tables)
    ), walk(rel, depth) AS (
        SELECT t, 0 FROM unnest(tables) AS t
        UNION ALL
        SELECT e.child, w.depth + 1 FROM walk w JOIN edges e ON e.parent = w.rel WHERE w.depth < 32
    )
    SELECT rel::regclass, max(depth) FROM walk GROUP BY rel
$$;
COMMENT ON FUNCTION pgtrail.foreign_key_depth(regclass[]) IS
    'Each table''s depth in the foreign keys among the given tables (0: references none of them).';

-- The statements that return one table's rows changed after `at` to their state at `at`: the net effect
-- of undoing those changes newest first, one statement per row that differs (DELETE of a row created
-- since, UPDATE of the columns that differ, INSERT of a row deleted since; a key change is the DELETE
-- of the new key and the INSERT of the old one). `phase`: 1 DELETE, 2 UPDATE, 3 INSERT (rewind_steps
-- orders them).
-- Rows are matched by key against the table as it is now. Errors when a row's state at `at` is not known
-- (no baseline) or was erased.
CREATE OR REPLACE FUNCTION pgtrail.rewind_plan(at timestamptz, rel regclass)
RETURNS TABLE (statement text, expected_rows integer, phase integer, key text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    writable text[] := pgtrail.writable_columns(rel);
    r record;
    lits jsonb;
BEGIN
    FOR r IN EXECUTE format($query$
        WITH later AS (
            SELECT operation, primary_key, before, commit_lsn, ordinal FROM %1$s
            WHERE schema = $1 AND "table" = $2 AND committed_at > $3 AND operation <> 'SNAPSHOT'
        ), events AS (
            SELECT pgtrail.normalize_key(primary_key, cardinality($4) > 1) AS k, commit_lsn, ordinal,
                   CASE WHEN operation = 'UPDATE' AND before IS NOT NULL
                             AND pgtrail.key_of($4, before) IS DISTINCT FROM pgtrail.normalize_key(primary_key, cardinality($4) > 1)
                        THEN 'MOVED IN' ELSE operation END AS event
            FROM later WHERE operation <> 'TRUNCATE'
            UNION ALL
            SELECT pgtrail.key_of($4, before), commit_lsn, ordinal, 'MOVED OUT' FROM later
            WHERE operation = 'UPDATE' AND before IS NOT NULL
              AND pgtrail.key_of($4, before) IS DISTINCT FROM pgtrail.normalize_key(primary_key, cardinality($4) > 1)
        ), first_event AS (
            SELECT DISTINCT ON (k) k, event FROM events ORDER BY k, commit_lsn, ordinal
        ), target AS (
            SELECT pgtrail.key_of($4, t) AS k, t AS img FROM pgtrail.table_state($5, $3, NULL, NULL) AS t
        ), actual AS (
            SELECT pgtrail.key_of($4, to_jsonb(pgtrail_row.*)) AS k, to_jsonb(pgtrail_row.*) AS img FROM %2$s pgtrail_row
        )
        SELECT coalesce(t.k, a.k) AS k, t.img AS target, a.img AS actual, f.event AS first_event
        FROM target t FULL JOIN actual a ON a.k = t.k
        LEFT JOIN first_event f ON f.k = coalesce(t.k, a.k)
        WHERE t.img::text IS DISTINCT FROM a.img::text
          AND (f.k IS NOT NULL OR EXISTS (SELECT FROM later WHERE operation = 'TRUNCATE'))
        ORDER BY 1
        $query$, pgtrail.changes_table(), pgtrail.qualified_name(rel))
        USING names.schema_name, names.table_name, at, cols, rel
    LOOP
        key := r.k;
        -- A row that existed at `at` (its first later change updates, moves or deletes it) must be known then.
        IF (r.target IS NULL AND r.first_event IN ('UPDATE', 'DELETE', 'MOVED OUT'))
           OR (r.target IS NOT NULL AND NOT r.target ?& writable) THEN
            RAISE EXCEPTION 'the row of % with key % at % is not known', rel, r.k, at
                USING ERRCODE = 'no_data_found',
                      HINT = 'Time travel needs a baseline (SNAPSHOT rows) or REPLICA IDENTITY FULL for rows older than tracking.';
        END IF;
        IF r.target IS NULL THEN
            statement := format('DELETE FROM %s WHERE %s;', pgtrail.qualified_name(rel), pgtrail.key_condition(rel, r.actual));
            phase := 1;
        ELSIF r.actual IS NULL THEN
            statement := pgtrail.insert_statement(rel, pgtrail.restorable_image(rel, r.k, r.target, NULL));
            phase := 3;
        ELSE
            lits := pgtrail.row_literals(rel, pgtrail.restorable_image(rel, r.k, r.target, NULL));
            SELECT string_agg(format('%I = %s', w, lits ->> w), ', ' ORDER BY n) INTO statement
            FROM unnest(writable) WITH ORDINALITY AS x(w, n)
            WHERE (r.target -> w)::text IS DISTINCT FROM (r.actual -> w)::text;
            CONTINUE WHEN statement IS NULL;  -- only generated columns differ
            statement := format('UPDATE %s SET %s WHERE %s;', pgtrail.qualified_name(rel), statement,
                                pgtrail.key_condition(rel, r.actual));
            phase := 2;
        END IF;
        expected_rows := 1;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.rewind_plan(timestamptz, regclass) IS
    'The statements (phase 1 DELETE, 2 UPDATE, 3 INSERT) returning the rows of a table changed after `at` to their state then.';

-- Every statement of a rewind of `tables` to `at`, in the order to run them: deletes (referencing tables
-- first), updates, inserts (referenced tables first).
CREATE OR REPLACE FUNCTION pgtrail.rewind_steps(at timestamptz, tables regclass[])
RETURNS TABLE (statement text, expected_rows integer)
LANGUAGE sql STABLE AS $$
    SELECT p.statement, p.expected_rows
    FROM pgtrail.foreign_key_depth(tables) AS d, LATERAL pgtrail.rewind_plan(at, d.rel) AS p
    -- Deletes and updates deepest table first, inserts shallowest first. A child's update comes before
    -- its parents' deletes: an ON DELETE CASCADE would otherwise remove a child moved under a parent
    -- created since, before the update that moves it back. Within a table, deletes precede updates
    -- (an update may restore a unique value a deleted row holds now).
    ORDER BY p.phase = 3, CASE WHEN p.phase = 3 THEN d.depth ELSE -d.depth END, d.rel::text, p.phase, p.key
$$;
COMMENT ON FUNCTION pgtrail.rewind_steps(timestamptz, regclass[]) IS
    'The statements of a rewind to `at`, in order, each with the row count it must touch.';

-- The statements that would rewind `tables` (NULL: every table changed since) to `at`, for review.
CREATE OR REPLACE FUNCTION pgtrail.rewind_sql(at timestamptz, tables regclass[] DEFAULT NULL) RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    chosen regclass[] := pgtrail.rewind_tables(at, tables);
BEGIN
    PERFORM pgtrail.refuse_erased(pgtrail.rewind_changes(at, chosen));
    RETURN QUERY SELECT s.statement FROM pgtrail.rewind_steps(at, chosen) AS s;
END
$$;
COMMENT ON FUNCTION pgtrail.rewind_sql(timestamptz, regclass[]) IS
    'The SQL statements that return `tables` (NULL: every table changed since) to their state at `at`, for review.';

-- Rewinds in the caller's transaction: all or nothing. Refuses when a row to write is not as last
-- recorded, unless force. Deferrable constraints are checked at commit (SET CONSTRAINTS ALL DEFERRED);
-- with disable_triggers (superuser), session_replication_role = replica skips triggers and foreign keys.
CREATE OR REPLACE FUNCTION pgtrail.rewind(at timestamptz, tables regclass[] DEFAULT NULL, force boolean DEFAULT false,
                                          disable_triggers boolean DEFAULT false) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    chosen regclass[] := pgtrail.rewind_tables(at, tables);
    ids uuid[] := pgtrail.rewind_changes(at, chosen);
    rel regclass;
    drift text;
    step record;
    touched bigint;
BEGIN
    -- An erased change first: its row also differs from its (erased) image, which would mislead.
    PERFORM pgtrail.refuse_erased(ids);
    IF NOT force THEN
        FOREACH rel IN ARRAY chosen LOOP
            drift := pgtrail.rewind_drift(at, rel);
            IF drift IS NOT NULL THEN
                RAISE EXCEPTION 'cannot rewind: %', drift
                    USING ERRCODE = 'object_in_use',
                          HINT = 'Let pgtrail run catch up, or pass force => true (pgtrail rewind --force) to rewind anyway.';
            END IF;
        END LOOP;
    END IF;
    -- The rewinding changes carry their own context, so the audit trail shows them as a rewind.
    PERFORM pg_logical_emit_message(true, '_bemi', jsonb_build_object('pgtrail', 'rewind', 'to', at)::text);
    SET CONSTRAINTS ALL DEFERRED;
    IF disable_triggers THEN
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;
    FOR step IN SELECT * FROM pgtrail.rewind_steps(at, chosen) LOOP
        EXECUTE step.statement;
        GET DIAGNOSTICS touched = ROW_COUNT;
        IF touched <> step.expected_rows AND NOT force THEN
            -- Most often a foreign key action (ON DELETE CASCADE, SET NULL) or a trigger did it already.
            RAISE EXCEPTION 'cannot rewind: % changed % rows instead of %', step.statement, touched, step.expected_rows
                USING ERRCODE = 'object_in_use',
                      HINT = CASE WHEN disable_triggers THEN 'The table changed while rewinding.'
                                  ELSE 'A foreign key action or a trigger changed rows the rewind writes itself: rewind with '
                                       'disable_triggers => true (pgtrail rewind --disable-triggers, superuser).' END;
        END IF;
        RETURN NEXT step.statement;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.rewind(timestamptz, regclass[], boolean, boolean) IS
    'Returns `tables` (NULL: every table changed since) to their state at `at` (the net effect of undoing every later change).';
