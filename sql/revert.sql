-- Change reversion: the SQL that undoes recorded changes (for review), and applying it safely.
-- Needs pgtrail_base.sql and time_travel.sql. Idempotent.
--
-- Inverse of each change, newest first: CREATE -> DELETE, UPDATE -> UPDATE of the changed columns back to
-- the previous row (found by time travel when "before" holds only the key), DELETE -> INSERT of the
-- previous row, TRUNCATE -> INSERT of every row the table had just before it. SNAPSHOT rows are never
-- reverted. Values are typed literals ('text'::type), rows are found by the table's key.

-- (only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
-- exists, which a managed service's role that owns schema pgtrail may lack)
DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- SQL literals for every column of a row image: {"col": "'text'::type" or "NULL"}; columns absent
-- from the image are absent. Text forms and type names do not depend on the session's settings.
CREATE OR REPLACE FUNCTION pgtrail.row_literals(rel regclass, image jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET datestyle = 'ISO, YMD' SET intervalstyle = 'postgres' SET extra_float_digits = 3 SET bytea_output = 'hex'
SET search_path = pg_catalog, pg_temp  -- so format_type() qualifies every type outside pg_catalog
AS $$
DECLARE
    cols text[];
    types text[];
    texts text[];
BEGIN
    SELECT array_agg(attname::text ORDER BY attnum), array_agg(format_type(atttypid, atttypmod) ORDER BY attnum)
        INTO cols, types
        FROM pg_attribute WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('SELECT ARRAY[%s]::text[] FROM jsonb_populate_record(NULL::%s, $1) AS r',
                   (SELECT string_agg(format('r.%I::text', c), ', ') FROM unnest(cols) AS c), rel)
        INTO texts USING image;
    RETURN (SELECT coalesce(jsonb_object_agg(c, CASE WHEN t IS NULL THEN 'NULL' ELSE format('%L::%s', t, ty) END), '{}')
            FROM unnest(cols, types, texts) AS x(c, ty, t)
            WHERE image ? c);
END
$$;
COMMENT ON FUNCTION pgtrail.row_literals(regclass, jsonb) IS
    'Typed SQL literals (''text''::type) for the columns of a row image of `rel`, as a jsonb object.';

-- The columns an INSERT or UPDATE may set: not dropped, not generated.
CREATE OR REPLACE FUNCTION pgtrail.writable_columns(rel regclass) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(attname::text ORDER BY attnum)
    FROM pg_attribute
    WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
$$;
COMMENT ON FUNCTION pgtrail.writable_columns(regclass) IS
    'The columns of `rel` that an INSERT or UPDATE can set (not dropped, not generated).';

-- "k1 = lit AND k2 = lit" for the key of a row image.
CREATE OR REPLACE FUNCTION pgtrail.key_condition(rel regclass, image jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(format('%I = %s', c, lits ->> c), ' AND ' ORDER BY n)
    FROM (SELECT pgtrail.row_literals(rel, image) AS lits) l,
         unnest(pgtrail.require_key_columns(rel)) WITH ORDINALITY AS k(c, n)
$$;
COMMENT ON FUNCTION pgtrail.key_condition(regclass, jsonb) IS
    'A WHERE condition matching the row of `rel` with the key of a row image, with typed literals.';

-- INSERT of a whole row image.
CREATE OR REPLACE FUNCTION pgtrail.insert_statement(rel regclass, image jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('INSERT INTO %s (%s)%s VALUES (%s);', pgtrail.qualified_name(rel),
                  string_agg(format('%I', c), ', ' ORDER BY n),
                  CASE WHEN EXISTS (SELECT FROM pg_attribute WHERE attrelid = rel AND attidentity = 'a'
                                    AND NOT attisdropped) THEN ' OVERRIDING SYSTEM VALUE' ELSE '' END,
                  string_agg(lits ->> c, ', ' ORDER BY n))
    FROM (SELECT pgtrail.row_literals(rel, image) AS lits) l,
         unnest(pgtrail.writable_columns(rel)) WITH ORDINALITY AS w(c, n)
$$;
COMMENT ON FUNCTION pgtrail.insert_statement(regclass, jsonb) IS
    'An INSERT statement that puts a row image back into `rel`, with typed literals.';

-- The whole row just before a change, or an error naming the row when it is not known.
CREATE OR REPLACE FUNCTION pgtrail.row_before_change(
    rel regclass, key text, recorded_before jsonb, at_lsn bigint, at_ordinal integer) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    image jsonb := pgtrail.row_state(rel, key, NULL, at_lsn, at_ordinal);
BEGIN
    -- With REPLICA IDENTITY FULL, "before" is the whole old row: it wins.
    image := coalesce(image, '{}') || coalesce(recorded_before, '{}');
    IF NOT image ?& pgtrail.writable_columns(rel) THEN
        RAISE EXCEPTION 'the row of % with key % before change (commit_lsn %, ordinal %) is not known', rel, key,
                at_lsn, at_ordinal
            USING ERRCODE = 'no_data_found',
                  HINT = 'Time travel needs a baseline (SNAPSHOT rows) or REPLICA IDENTITY FULL for rows older than tracking.';
    END IF;
    RETURN image;
END
$$;
COMMENT ON FUNCTION pgtrail.row_before_change(regclass, text, jsonb, bigint, integer) IS
    'The complete row just before a change (time travel plus the recorded "before"); error if unknown.';

-- An image about to be written back, or an error when values in it were erased or redacted: the
-- marker must never reach the table, and the caller must learn that the row's values are gone.
CREATE OR REPLACE FUNCTION pgtrail.restorable_image(rel regclass, key text, image jsonb, change_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    erased text := pgtrail.erasure_of(change_id);
    redacted text[] := pgtrail.redacted_columns(image);
BEGIN
    IF erased IS NOT NULL OR redacted IS NOT NULL THEN
        RAISE EXCEPTION 'the row of % with key % cannot be restored: %', rel, coalesce(key, '(erased)'),
                coalesce('it was ' || erased, format('its columns %s hold the redaction marker, not values',
                                                     array_to_string(redacted, ', ')))
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Erased and redacted values are gone from history; see pgtrail.erasures.';
    END IF;
    RETURN image;
END
$$;
COMMENT ON FUNCTION pgtrail.restorable_image(regclass, text, jsonb, uuid) IS
    'The image unchanged, or an error when the change was erased (pgtrail.forget) or the image holds redacted values.';

-- An error naming the first erased change among the given ones (pgtrail.forget), so that revert and
-- rewind say that before anything else (the erased row also looks changed since).
CREATE OR REPLACE FUNCTION pgtrail.refuse_erased(change_ids uuid[]) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    erased uuid;
    erased_table text;
    erased_key text;
BEGIN
    IF to_regclass('pgtrail.erased_changes') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'SELECT change_id FROM pgtrail.erased_changes WHERE change_id = ANY ($1) LIMIT 1' INTO erased USING change_ids;
    IF erased IS NOT NULL THEN
        EXECUTE format('SELECT format(''%%I.%%I'', schema, "table"), primary_key FROM %s WHERE id = $1', pgtrail.changes_table())
            INTO erased_table, erased_key USING erased;
        PERFORM pgtrail.restorable_image(erased_table::regclass, erased_key, '{}', erased);
    END IF;
END
$$;
COMMENT ON FUNCTION pgtrail.refuse_erased(uuid[]) IS
    'Raises the erasure error for the first of the given changes that pgtrail.forget erased; nothing otherwise.';

-- Each statement undoing the given changes, newest first, with the number of rows it must touch.
CREATE OR REPLACE FUNCTION pgtrail.revert_plan(change_ids uuid[])
RETURNS TABLE (statement text, expected_rows integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c record;
    rel regclass;
    cols text[];
    key text;
    old_row jsonb;
    new_row jsonb;
    lits jsonb;
    baseline jsonb;
BEGIN
    FOR c IN EXECUTE format('SELECT * FROM %s WHERE id = ANY ($1) AND operation <> ''SNAPSHOT''
                             ORDER BY commit_lsn DESC, ordinal DESC', pgtrail.changes_table())
        USING change_ids
    LOOP
        rel := to_regclass(format('%I.%I', c.schema, c."table"));
        IF rel IS NULL THEN
            RAISE EXCEPTION 'cannot revert change %: table %.% does not exist in this database', c.id,
                    quote_ident(c.schema), quote_ident(c."table")
                USING ERRCODE = 'undefined_table';
        END IF;
        cols := pgtrail.require_key_columns(rel);
        key := pgtrail.normalize_key(c.primary_key, cardinality(cols) > 1);
        PERFORM pgtrail.restorable_image(rel, key, '{}', c.id);  -- an erased change: nothing to go back to
        IF c.operation = 'CREATE' THEN
            statement := format('DELETE FROM %s WHERE %s;', pgtrail.qualified_name(rel),
                                pgtrail.key_condition(rel, c.after));
            expected_rows := 1;
            RETURN NEXT;
        ELSIF c.operation = 'UPDATE' THEN
            new_row := c.after;
            IF coalesce(cardinality(c.unchanged), 0) > 0 THEN
                new_row := pgtrail.fill_unchanged(rel, c.after, c.unchanged, c.commit_lsn, c.ordinal,
                                                  coalesce(pgtrail.key_of(cols, c.before), key));
            END IF;
            old_row := pgtrail.restorable_image(rel, key,
                pgtrail.row_before_change(rel, coalesce(pgtrail.key_of(cols, c.before), key), c.before,
                                          c.commit_lsn, c.ordinal), NULL);
            lits := pgtrail.row_literals(rel, old_row);
            SELECT string_agg(format('%I = %s', w, lits ->> w), ', ' ORDER BY n) INTO statement
            FROM unnest(pgtrail.writable_columns(rel)) WITH ORDINALITY AS x(w, n)
            WHERE (old_row -> w)::text IS DISTINCT FROM (new_row -> w)::text;
            CONTINUE WHEN statement IS NULL;  -- the UPDATE changed nothing
            statement := format('UPDATE %s SET %s WHERE %s;', pgtrail.qualified_name(rel), statement,
                                pgtrail.key_condition(rel, new_row));
            expected_rows := 1;
            RETURN NEXT;
        ELSIF c.operation = 'DELETE' THEN
            old_row := pgtrail.restorable_image(rel, key,
                pgtrail.row_before_change(rel, key, c.before, c.commit_lsn, c.ordinal), NULL);
            statement := pgtrail.insert_statement(rel, old_row);
            expected_rows := 1;
            RETURN NEXT;
        ELSIF c.operation = 'TRUNCATE' THEN
            FOR baseline IN SELECT * FROM pgtrail.table_state(rel, NULL, c.commit_lsn, c.ordinal) LOOP
                statement := pgtrail.insert_statement(rel, pgtrail.restorable_image(rel, pgtrail.key_of(cols, baseline),
                                                                                     baseline, NULL));
                expected_rows := 1;
                RETURN NEXT;
            END LOOP;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.revert_plan(uuid[]) IS
    'The statements undoing the given changes (by id), newest first, each with the row count it must affect.';

-- The first later change (not among those being reverted) to a row they touched, described; else NULL.
CREATE OR REPLACE FUNCTION pgtrail.revert_conflict(change_ids uuid[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t record;
    rel regclass;
    cols text[];
    target_keys record;
    later_keys record;
    found record;
BEGIN
    FOR t IN EXECUTE format('SELECT DISTINCT schema, "table" FROM %s WHERE id = ANY ($1) AND operation <> ''SNAPSHOT''',
                            pgtrail.changes_table())
        USING change_ids
    LOOP
        rel := to_regclass(format('%I.%I', t.schema, t."table"));
        CONTINUE WHEN rel IS NULL;  -- revert_plan reports it
        cols := pgtrail.require_key_columns(rel);
        target_keys := pgtrail.key_expressions(cols, 'x');
        later_keys := pgtrail.key_expressions(cols, 'l');
        -- Keys touched by the changes being reverted (NULL: every row, for a TRUNCATE), each with the
        -- earliest such change; then the changes after it that touch the same key.
        EXECUTE format($query$
            WITH ids AS (
                SELECT DISTINCT unnest($1) AS id
            ), target AS (
                SELECT x.commit_lsn, x.ordinal, x.operation, %2$s AS k,
                       CASE WHEN x.operation = 'UPDATE' THEN %3$s END AS old_k
                FROM %1$s x JOIN ids USING (id)
                WHERE x.schema = $2 AND x."table" = $3 AND x.operation <> 'SNAPSHOT'
            ), touched AS (
                SELECT k, commit_lsn, ordinal FROM target WHERE k IS NOT NULL
                UNION ALL SELECT old_k, commit_lsn, ordinal FROM target WHERE old_k IS NOT NULL
                UNION ALL SELECT NULL, commit_lsn, ordinal FROM target WHERE operation = 'TRUNCATE'
            ), earliest AS (
                SELECT DISTINCT ON (k) k, commit_lsn, ordinal FROM touched ORDER BY k, commit_lsn, ordinal
            ), later AS (
                SELECT l.commit_lsn, l.ordinal, l.operation, l.transaction_id, l.committed_at, l.context,
                       %4$s AS k, CASE WHEN l.operation = 'UPDATE' THEN %5$s END AS old_k
                FROM %1$s l LEFT JOIN ids ON ids.id = l.id
                WHERE l.schema = $2 AND l."table" = $3 AND ids.id IS NULL AND l.operation <> 'SNAPSHOT'
                  AND l.commit_lsn >= (SELECT min(commit_lsn) FROM target)
            ), conflicts AS (
                SELECT e.k AS touched, l.* FROM earliest e JOIN later l ON l.k = e.k
                WHERE (l.commit_lsn, l.ordinal) > (e.commit_lsn, e.ordinal)
                UNION ALL
                SELECT e.k, l.* FROM earliest e JOIN later l ON l.old_k = e.k
                WHERE (l.commit_lsn, l.ordinal) > (e.commit_lsn, e.ordinal)
                UNION ALL
                SELECT e.k, l.* FROM earliest e JOIN later l
                    ON (e.k IS NULL OR l.operation = 'TRUNCATE') AND (l.commit_lsn, l.ordinal) > (e.commit_lsn, e.ordinal)
            )
            SELECT touched::text AS k, operation, transaction_id, committed_at, context
            FROM conflicts
            ORDER BY commit_lsn, ordinal
            LIMIT 1
            $query$, pgtrail.changes_table(), target_keys.from_primary_key, target_keys.from_before,
                     later_keys.from_primary_key, later_keys.from_before)
            INTO found
            USING change_ids, t.schema, t."table";
        IF found.operation IS NOT NULL THEN
            RETURN format('row %s of %s was changed later: %s in transaction %s committed at %s (context %s)',
                          coalesce('with key ' || found.k, '(all rows: truncated)'), pgtrail.qualified_name(rel),
                          found.operation, found.transaction_id, found.committed_at, found.context);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pgtrail.revert_conflict(uuid[]) IS
    'Describes the first later change to a row that the given changes touched, or NULL when there is none.';

-- The first of the given changes whose revert would write a value, or find its row by a value,
-- that the changes table holds only in a substitute form (its column listed in `lossy`: the
-- value's JSON text as a string, or a placeholder; docs/SINK.md), described with the columns;
-- else NULL. Writing that form back would put a string or a placeholder into the source. Values
-- the revert takes from the row's last earlier change (time travel, for columns "before" lacks)
-- are checked against that change's lossy; a TRUNCATE's against every earlier change of the table.
CREATE OR REPLACE FUNCTION pgtrail.revert_lossy(change_ids uuid[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c record;
    rel regclass;
    cols text[];
    used text[];
    from_history text[];
    earlier record;
    bad text[];
BEGIN
    FOR c IN EXECUTE format('SELECT * FROM %s WHERE id = ANY ($1) AND operation <> ''SNAPSHOT''
                             ORDER BY commit_lsn DESC, ordinal DESC', pgtrail.changes_table())
        USING change_ids
    LOOP
        rel := to_regclass(format('%I.%I', c.schema, c."table"));
        CONTINUE WHEN rel IS NULL;  -- revert_plan reports it
        cols := pgtrail.require_key_columns(rel);
        -- The columns whose recorded value the revert writes (or matches the row on).
        used := CASE c.operation
            WHEN 'CREATE' THEN cols
            WHEN 'UPDATE' THEN cols || ARRAY(SELECT w FROM unnest(pgtrail.writable_columns(rel)) AS w
                                             WHERE NOT coalesce(c.before ? w, false)
                                                OR (c.before -> w) IS DISTINCT FROM (c.after -> w))
            ELSE pgtrail.writable_columns(rel) END;
        bad := ARRAY(SELECT x FROM unnest(c.lossy) AS x WHERE x = ANY (used));
        IF cardinality(bad) > 0 THEN
            RETURN format('%s of %s (commit_lsn %s, ordinal %s) has %s stored in a substitute form (lossy)',
                          c.operation, pgtrail.qualified_name(rel), c.commit_lsn, c.ordinal, array_to_string(bad, ', '));
        END IF;
        CONTINUE WHEN c.operation = 'CREATE';
        -- Values the revert takes from the row's (a TRUNCATE: the table's) earlier changes.
        from_history := ARRAY(SELECT w FROM unnest(used) AS w WHERE c.operation = 'TRUNCATE' OR NOT coalesce(c.before ? w, false));
        CONTINUE WHEN cardinality(from_history) = 0;
        EXECUTE format('SELECT commit_lsn, ordinal, operation, lossy FROM %s
                        WHERE schema = $1 AND "table" = $2 AND (commit_lsn, ordinal) < ($3, $4)
                          AND CASE WHEN $5 THEN lossy && $7 ELSE primary_key = ANY ($6) END
                        ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1', pgtrail.changes_table())
            INTO earlier
            USING c.schema, c."table", c.commit_lsn, c.ordinal, c.operation = 'TRUNCATE',
                  pgtrail.key_spellings(pgtrail.normalize_key(c.primary_key, cardinality(cols) > 1), cardinality(cols) > 1),
                  from_history;
        bad := ARRAY(SELECT x FROM unnest(earlier.lossy) AS x WHERE x = ANY (from_history));
        IF cardinality(bad) > 0 THEN
            RETURN format('%s of %s (commit_lsn %s, ordinal %s) would restore %s from the earlier %s (commit_lsn %s, ordinal %s), '
                          'which holds them in a substitute form (lossy)',
                          c.operation, pgtrail.qualified_name(rel), c.commit_lsn, c.ordinal, array_to_string(bad, ', '),
                          earlier.operation, earlier.commit_lsn, earlier.ordinal);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pgtrail.revert_lossy(uuid[]) IS
    'Describes the first given change whose revert would write a value stored in a substitute form (lossy), or NULL.';

-- The ids of one source transaction's changes, or an error when it has none.
CREATE OR REPLACE FUNCTION pgtrail.transaction_changes(transaction_id bigint) RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ids uuid[];
    commits bigint;
BEGIN
    EXECUTE format('SELECT array_agg(id), count(DISTINCT commit_lsn) FROM %s
                    WHERE transaction_id = $1 AND operation <> ''SNAPSHOT''', pgtrail.changes_table())
        INTO ids, commits USING transaction_id;
    IF ids IS NULL THEN
        RAISE EXCEPTION 'no changes of transaction % in %', transaction_id, pgtrail.changes_table()
            USING ERRCODE = 'no_data_found';
    END IF;
    -- xids are 32 bits and wrap around: one number can name several source transactions.
    IF commits > 1 THEN
        RAISE EXCEPTION 'transaction id % names % source transactions (the xid wrapped around)', transaction_id, commits
            USING ERRCODE = 'cardinality_violation',
                  HINT = 'Select the changes by context with pgtrail.revert_sql_where / pgtrail.revert_where.';
    END IF;
    RETURN ids;
END
$$;
COMMENT ON FUNCTION pgtrail.transaction_changes(bigint) IS
    'The ids of the changes made by one source transaction (xid); error if there are none.';

-- The ids of the changes whose context contains `context` (uses the GIN index), or an error.
CREATE OR REPLACE FUNCTION pgtrail.context_changes(context jsonb) RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ids uuid[];
BEGIN
    IF jsonb_typeof(context) IS DISTINCT FROM 'object' OR context = '{}' THEN
        RAISE EXCEPTION 'context filter % must be a non-empty JSON object (it is matched with @>)', context
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('SELECT array_agg(id) FROM %s WHERE context @> $1 AND operation <> ''SNAPSHOT''',
                   pgtrail.changes_table())
        INTO ids USING context;
    IF ids IS NULL THEN
        RAISE EXCEPTION 'no changes with context containing % in %', context, pgtrail.changes_table()
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN ids;
END
$$;
COMMENT ON FUNCTION pgtrail.context_changes(jsonb) IS
    'The ids of the changes whose context contains the given JSON object; error if none or if it is empty.';

CREATE OR REPLACE FUNCTION pgtrail.revert_sql(transaction_id bigint) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT statement FROM pgtrail.revert_plan(pgtrail.transaction_changes(transaction_id))
$$;
COMMENT ON FUNCTION pgtrail.revert_sql(bigint) IS
    'The SQL statements that undo source transaction `transaction_id` (newest change first), for review.';

CREATE OR REPLACE FUNCTION pgtrail.revert_sql_where(context jsonb) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT statement FROM pgtrail.revert_plan(pgtrail.context_changes(context))
$$;
COMMENT ON FUNCTION pgtrail.revert_sql_where(jsonb) IS
    'The SQL statements that undo every change whose context contains `context` (newest first), for review.';

-- Runs revert_plan's statements in the caller's transaction; each must touch its row count unless force.
CREATE OR REPLACE FUNCTION pgtrail.apply_revert_plan(change_ids uuid[], force boolean) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    step record;
    touched bigint;
BEGIN
    FOR step IN SELECT * FROM pgtrail.revert_plan(change_ids) LOOP
        EXECUTE step.statement;
        GET DIAGNOSTICS touched = ROW_COUNT;
        IF touched <> step.expected_rows AND NOT force THEN
            RAISE EXCEPTION 'cannot revert: % changed % rows instead of %', step.statement, touched, step.expected_rows
                USING ERRCODE = 'object_in_use',
                      HINT = 'The table differs from what the changes table says: a later change may not have arrived yet.';
        END IF;
        RETURN NEXT step.statement;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.apply_revert_plan(uuid[], boolean) IS
    'Runs the statements of revert_plan(change_ids), checking that each touches its row count unless force.';

-- Applies revert_plan in the caller's transaction: all or nothing.
CREATE OR REPLACE FUNCTION pgtrail.revert_changes(change_ids uuid[], force boolean, reason jsonb)
RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    conflict text;
BEGIN
    PERFORM pgtrail.refuse_erased(change_ids);
    IF NOT force THEN
        conflict := pgtrail.revert_conflict(change_ids);
        IF conflict IS NOT NULL THEN
            RAISE EXCEPTION 'cannot revert: %', conflict
                USING ERRCODE = 'object_in_use',
                      HINT = 'Review pgtrail.revert_sql(...), then pass force => true to revert anyway.';
        END IF;
        conflict := pgtrail.revert_lossy(change_ids);
        IF conflict IS NOT NULL THEN
            RAISE EXCEPTION 'cannot revert: %; reverting would write that form (a JSON string or a placeholder) into the source', conflict
                USING ERRCODE = 'object_in_use',
                      HINT = 'Restore those columns by hand; force => true reverts anyway and writes the substitute form.';
        END IF;
    END IF;
    -- The reverting changes carry their own context, so the audit trail shows them as a revert.
    PERFORM pg_logical_emit_message(true, '_bemi', jsonb_build_object('pgtrail_revert', reason)::text);
    RETURN QUERY SELECT pgtrail.apply_revert_plan(change_ids, force);
END
$$;
COMMENT ON FUNCTION pgtrail.revert_changes(uuid[], boolean, jsonb) IS
    'Applies the statements undoing the given changes, refusing (unless force) when later changes touched their rows.';

CREATE OR REPLACE FUNCTION pgtrail.revert(transaction_id bigint, force boolean DEFAULT false) RETURNS SETOF text
LANGUAGE sql AS $$
    SELECT pgtrail.revert_changes(pgtrail.transaction_changes(transaction_id), force,
                                  jsonb_build_object('transaction_id', transaction_id))
$$;
COMMENT ON FUNCTION pgtrail.revert(bigint, boolean) IS
    'Undoes source transaction `transaction_id` in the current transaction; refuses when a later change touched its rows, unless force.';

CREATE OR REPLACE FUNCTION pgtrail.revert_where(context jsonb, force boolean DEFAULT false) RETURNS SETOF text
LANGUAGE sql AS $$
    SELECT pgtrail.revert_changes(pgtrail.context_changes(context), force, jsonb_build_object('context', context))
$$;
COMMENT ON FUNCTION pgtrail.revert_where(jsonb, boolean) IS
    'Undoes every change whose context contains `context`, in the current transaction; refuses on later changes unless force.';
