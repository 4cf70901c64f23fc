-- The replay oracle (issue 7): after any workload, rebuild every tracked table from the
-- changes table and compare it with the real table row by row, and compare the number of
-- changes with the number of row operations the workload made.
--
--   oracle.track('schema.table')     counts the table's row operations from now on
--                                    (statement triggers with transition tables write
--                                    oracle.ops in the same transaction: a rolled back or
--                                    crashed transaction counts nothing)
--   SELECT * FROM oracle.check()     one line per problem; no rows = tables equal, counts equal
--   oracle.check('oracle.dest_changes')  the same over a copy of a destination's changes
--
-- The sink must not track the oracle schema: run it with --exclude-tables 'oracle.*'.
-- Replay rules (docs/SINK.md): per table, in commit order (commit_lsn, ordinal); CREATE
-- adds "after"; UPDATE finds the row by the key in "before" (key change, REPLICA IDENTITY
-- FULL) else in "after", checks that the row contains "before", and replaces it by "after"
-- plus the "unchanged" columns' previous values; DELETE removes the row "before" names;
-- TRUNCATE empties the table. Tables without a key columns set are replayed as multisets
-- (their UPDATE and DELETE need REPLICA IDENTITY FULL).
CREATE SCHEMA IF NOT EXISTS oracle;

CREATE TABLE IF NOT EXISTS oracle.tracked (
    relid   regclass PRIMARY KEY,
    schema  text NOT NULL,
    tbl     text NOT NULL,
    keycols text[],           -- NULL: no key, replayed as a multiset
    replay  boolean NOT NULL DEFAULT true,  -- false: counts only (no key and no REPLICA IDENTITY FULL)
    poison  boolean NOT NULL DEFAULT false  -- true: rows may hold values jsonb refuses (compared by oracle.image)
);

CREATE TABLE IF NOT EXISTS oracle.ops (
    schema text NOT NULL,
    tbl    text NOT NULL,
    op     text NOT NULL,     -- INSERT UPDATE DELETE TRUNCATE (trigger names)
    n      bigint NOT NULL,
    xid    xid8 NOT NULL DEFAULT pg_current_xact_id()
);

CREATE OR REPLACE FUNCTION oracle.count_ops() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN SELECT count(*) INTO n FROM oracle_new_rows;
    ELSIF TG_OP = 'DELETE' THEN SELECT count(*) INTO n FROM oracle_old_rows;
    ELSE n := 1;
    END IF;
    IF n > 0 THEN INSERT INTO oracle.ops (schema, tbl, op, n) VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, n); END IF;
    RETURN NULL;
END $$;

-- The key columns a change is identified by: the replica identity index (USING INDEX), else the primary key.
CREATE OR REPLACE FUNCTION oracle.key_columns(rel regclass) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT array_agg(a.attname::text ORDER BY k.ord)
    FROM (SELECT i.indkey, i.indisprimary FROM pg_index i
          WHERE i.indrelid = rel AND (i.indisprimary OR i.indisreplident)
          ORDER BY i.indisreplident DESC, i.indisprimary DESC LIMIT 1) idx,
         unnest(idx.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = rel AND a.attnum = k.attnum
$$;

CREATE OR REPLACE FUNCTION oracle.track(rel regclass, replay boolean DEFAULT true) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    sch text; tbl text;
BEGIN
    SELECT n.nspname, c.relname INTO sch, tbl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
    INSERT INTO oracle.tracked VALUES (rel, sch, tbl, oracle.key_columns(rel), replay)
        ON CONFLICT (relid) DO UPDATE SET keycols = excluded.keycols, replay = excluded.replay;
    EXECUTE format('CREATE TRIGGER oracle_ins AFTER INSERT ON %s REFERENCING NEW TABLE AS oracle_new_rows FOR EACH STATEMENT EXECUTE FUNCTION oracle.count_ops()', rel);
    EXECUTE format('CREATE TRIGGER oracle_upd AFTER UPDATE ON %s REFERENCING NEW TABLE AS oracle_new_rows FOR EACH STATEMENT EXECUTE FUNCTION oracle.count_ops()', rel);
    EXECUTE format('CREATE TRIGGER oracle_del AFTER DELETE ON %s REFERENCING OLD TABLE AS oracle_old_rows FOR EACH STATEMENT EXECUTE FUNCTION oracle.count_ops()', rel);
    EXECUTE format('CREATE TRIGGER oracle_trunc AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION oracle.count_ops()', rel);
END $$;

-- json as jsonb, or NULL when jsonb refuses it (a number over numeric's limits, a string over
-- 2^28 - 1 bytes, ...).
CREATE OR REPLACE FUNCTION oracle.try_jsonb(value json) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN value::jsonb;
EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
    RETURN NULL;
END $$;

-- A row as to_jsonb renders it, and the columns whose values jsonb refuses. When jsonb refuses a
-- value, the image holds that value as its JSON text in a string (the sink's faithful form,
-- docs/SINK.md), or when even that is refused a marker that only a placeholder in a lossy column
-- is taken as equal to (oracle.check). Columns are read one by one: json_each would parse the
-- whole row and refuse what jsonb refuses (a lone surrogate escape) too.
CREATE OR REPLACE FUNCTION oracle.rendered(r anyelement, OUT image jsonb, OUT unrenderable text[]) LANGUAGE plpgsql AS $$
DECLARE a record; v json; j jsonb;
BEGIN
    image := to_jsonb(r);
    unrenderable := '{}';
EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
    image := '{}';
    unrenderable := '{}';
    FOR a IN SELECT attname FROM pg_attribute
              WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = pg_typeof(r)) AND attnum > 0 AND NOT attisdropped
              ORDER BY attnum LOOP
        EXECUTE format('SELECT to_json(($1).%I)', a.attname) INTO v USING r;
        j := CASE WHEN v IS NULL THEN 'null'::jsonb ELSE oracle.try_jsonb(v) END;
        IF j IS NULL THEN
            unrenderable := unrenderable || a.attname::text;
            j := coalesce(oracle.try_jsonb(to_json(v::text)), '"<oracle: a value jsonb cannot hold>"');
        END IF;
        image := image || jsonb_build_object(a.attname, j);
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION oracle.image(r anyelement) RETURNS jsonb LANGUAGE sql AS $$ SELECT (oracle.rendered(r)).image $$;
CREATE OR REPLACE FUNCTION oracle.unrenderable(r anyelement) RETURNS text[] LANGUAGE sql AS $$ SELECT (oracle.rendered(r)).unrenderable $$;

-- The key of an image: a JSON array of the key columns' values.
CREATE OR REPLACE FUNCTION oracle.key_of(image jsonb, cols text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_agg(image -> c ORDER BY o) FROM unnest(cols) WITH ORDINALITY u(c, o)
$$;

-- What the sink must have written as primary_key: the single key's text, or a JSON array.
CREATE OR REPLACE FUNCTION oracle.key_text_ok(written text, key jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_array_length(key) = 1
                THEN written IS NOT DISTINCT FROM (key ->> 0)
                ELSE written IS NOT NULL AND written::jsonb = key END
$$;

CREATE OR REPLACE FUNCTION oracle.check(changes text DEFAULT 'public.changes', max_examples int DEFAULT 5)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    c record; t record; r record;
    old_key jsonb; new_key jsonb; old_row jsonb; new_row jsonb; found_id bigint;
    old_lossy text[]; new_lossy text[]; skip text[]; actual jsonb; col text;
    problems int := 0; applied bigint := 0;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS oracle_replica (id bigserial PRIMARY KEY, relid oid, key jsonb, row jsonb, lossy text[]);
    TRUNCATE oracle_replica;
    CREATE INDEX IF NOT EXISTS oracle_replica_key ON oracle_replica (relid, key);

    FOR c IN EXECUTE format(
        'SELECT t.relid::oid AS relid, t.keycols, c.operation, c.before, c.after, c.unchanged, c.primary_key, c.commit_lsn, c.ordinal,
                coalesce(c.lossy, ''{}'') AS lossy
           FROM %s c JOIN oracle.tracked t ON t.schema = c.schema AND t.tbl = c."table" AND t.replay
          ORDER BY c.commit_lsn, c.ordinal', changes::regclass)
    LOOP
        applied := applied + 1;
        IF c.operation = 'TRUNCATE' THEN
            DELETE FROM oracle_replica WHERE relid = c.relid;
            CONTINUE;
        END IF;
        -- Find the old row.
        old_row := NULL; found_id := NULL; old_lossy := '{}';
        IF c.operation IN ('UPDATE', 'DELETE') THEN
            IF c.keycols IS NOT NULL THEN
                old_key := oracle.key_of(coalesce(c.before, c.after), c.keycols);
                SELECT id, row, lossy INTO found_id, old_row, old_lossy FROM oracle_replica WHERE relid = c.relid AND key = old_key;
            ELSIF c.before IS NOT NULL THEN
                SELECT id, row, lossy INTO found_id, old_row, old_lossy FROM oracle_replica WHERE relid = c.relid AND row = c.before LIMIT 1;
            ELSE
                problems := problems + 1;
                RETURN NEXT format('%s at (%s,%s): %s of a table without key or REPLICA IDENTITY FULL cannot be replayed',
                                   c.relid::regclass, c.commit_lsn, c.ordinal, c.operation);
                CONTINUE;
            END IF;
            IF found_id IS NULL THEN
                problems := problems + 1;
                IF problems <= max_examples * 4 THEN
                    RETURN NEXT format('%s at (%s,%s): %s of a row the replay does not have: before %s after %s',
                                       c.relid::regclass, c.commit_lsn, c.ordinal, c.operation, c.before, c.after);
                END IF;
                CONTINUE;
            END IF;
            -- Lossy columns (the change's or the replayed row's) are compared with the table at the end.
            skip := c.lossy || coalesce(old_lossy, '{}');
            IF c.before IS NOT NULL AND NOT (old_row - skip) @> (c.before - skip) THEN
                problems := problems + 1;
                IF problems <= max_examples * 4 THEN
                    RETURN NEXT format('%s at (%s,%s): %s before image %s is not the row replayed so far %s',
                                       c.relid::regclass, c.commit_lsn, c.ordinal, c.operation, c.before, old_row);
                END IF;
            END IF;
            DELETE FROM oracle_replica WHERE id = found_id;
        END IF;
        IF c.operation = 'DELETE' THEN
            IF c.keycols IS NOT NULL AND NOT oracle.key_text_ok(c.primary_key, old_key) THEN
                problems := problems + 1;
                RETURN NEXT format('%s at (%s,%s): primary_key %s, expected key %s', c.relid::regclass, c.commit_lsn, c.ordinal, c.primary_key, old_key);
            END IF;
            CONTINUE;
        END IF;
        -- CREATE and UPDATE: the new row, unchanged TOASTed columns from the old one.
        new_row := c.after;
        new_lossy := c.lossy;
        IF c.unchanged IS NOT NULL AND cardinality(c.unchanged) > 0 THEN
            new_lossy := new_lossy || ARRAY(SELECT u FROM unnest(c.unchanged) u WHERE u = ANY (coalesce(old_lossy, '{}')));
            IF old_row IS NULL OR NOT old_row ?& c.unchanged THEN
                problems := problems + 1;
                RETURN NEXT format('%s at (%s,%s): unchanged %s not in the replayed row', c.relid::regclass, c.commit_lsn, c.ordinal, c.unchanged);
            ELSE
                SELECT new_row || jsonb_object_agg(u, old_row -> u) INTO new_row FROM unnest(c.unchanged) u;
            END IF;
        END IF;
        new_key := CASE WHEN c.keycols IS NULL THEN NULL ELSE oracle.key_of(new_row, c.keycols) END;
        IF new_key IS NOT NULL THEN
            IF NOT oracle.key_text_ok(c.primary_key, new_key) THEN
                problems := problems + 1;
                IF problems <= max_examples * 4 THEN
                    RETURN NEXT format('%s at (%s,%s): primary_key %s, expected key %s', c.relid::regclass, c.commit_lsn, c.ordinal, c.primary_key, new_key);
                END IF;
            END IF;
            IF EXISTS (SELECT FROM oracle_replica WHERE relid = c.relid AND key = new_key) THEN
                problems := problems + 1;
                IF problems <= max_examples * 4 THEN
                    RETURN NEXT format('%s at (%s,%s): %s of key %s that the replay has already (duplicate?)',
                                       c.relid::regclass, c.commit_lsn, c.ordinal, c.operation, new_key);
                END IF;
                DELETE FROM oracle_replica WHERE relid = c.relid AND key = new_key;
            END IF;
        END IF;
        INSERT INTO oracle_replica (relid, key, row, lossy) VALUES (c.relid, new_key, new_row, new_lossy);
    END LOOP;

    -- Each tracked table against its replay, and its operation counts against its changes.
    FOR t IN SELECT * FROM oracle.tracked ORDER BY schema, tbl LOOP
        IF t.poison AND t.replay AND t.keycols IS NOT NULL AND to_regclass(format('%I.%I', t.schema, t.tbl)) IS NOT NULL THEN
            -- Every value jsonb refuses is listed in lossy by the last change of its row.
            FOR r IN EXECUTE format('SELECT oracle.image(x) AS row, oracle.unrenderable(x) AS cols FROM %s x', t.relid) LOOP
                CONTINUE WHEN cardinality(r.cols) = 0;
                IF NOT EXISTS (SELECT FROM oracle_replica WHERE relid = t.relid AND key = oracle.key_of(r.row, t.keycols) AND lossy @> r.cols) THEN
                    problems := problems + 1;
                    RETURN NEXT format('%s: row %s holds values jsonb refuses (%s) that its last change does not list in lossy',
                                       t.relid, oracle.key_of(r.row, t.keycols), r.cols);
                END IF;
            END LOOP;
        END IF;
        -- A lossy column must hold the table's value in faithful form (as oracle.image renders it) or a placeholder.
        FOR r IN SELECT id, key, row, lossy FROM oracle_replica WHERE relid = t.relid AND cardinality(lossy) > 0 LOOP
            actual := NULL;
            IF t.keycols IS NOT NULL AND to_regclass(format('%I.%I', t.schema, t.tbl)) IS NOT NULL THEN
                EXECUTE format('SELECT oracle.image(x) FROM %s x WHERE oracle.key_of(oracle.image(x), $1) = $2', t.relid)
                    INTO actual USING t.keycols, r.key;
            END IF;
            CONTINUE WHEN actual IS NULL;  -- the row comparison reports it
            FOREACH col IN ARRAY r.lossy LOOP
                IF (r.row -> col) IS DISTINCT FROM (actual -> col)
                   AND NOT coalesce((r.row ->> col) ~ '^<pgtrail: value of [0-9]+ bytes omitted: .+>$', false) THEN
                    problems := problems + 1;
                    RETURN NEXT format('%s: row %s: lossy column %s holds %s, neither the value in faithful form nor a placeholder',
                                       t.relid, r.key, col, left((r.row -> col)::text, 200));
                END IF;
            END LOOP;
            UPDATE oracle_replica SET row = row || (SELECT coalesce(jsonb_object_agg(l, actual -> l), '{}') FROM unnest(r.lossy) l WHERE actual ? l)
             WHERE id = r.id;
        END LOOP;
        -- Rows: unless dropped since (its changes still count) or counted only.
        FOR r IN EXECUTE CASE WHEN to_regclass(format('%I.%I', t.schema, t.tbl)) IS NULL OR NOT t.replay THEN 'SELECT NULL AS what, NULL AS row WHERE false' ELSE format(
            '(SELECT ''missing from the replay'' AS what, row FROM (SELECT %4$s AS row FROM %1$s oracle_r
                EXCEPT ALL SELECT row FROM oracle_replica WHERE relid = %2$s) d LIMIT %3$s)
             UNION ALL
             (SELECT ''only in the replay'', row FROM (SELECT row FROM oracle_replica WHERE relid = %2$s
                EXCEPT ALL SELECT %4$s FROM %1$s oracle_r) d LIMIT %3$s)', t.relid, t.relid::oid, max_examples,
            CASE WHEN t.poison THEN 'oracle.image(oracle_r)' ELSE 'to_jsonb(oracle_r.*)' END) END
        LOOP
            problems := problems + 1;
            RETURN NEXT format('%s: row %s: %s', t.relid, r.what, left(r.row::text, 500));
        END LOOP;
        FOR r IN EXECUTE format(
            'SELECT o.op, o.n AS made, coalesce(w.n, 0) AS written FROM
               (SELECT op, sum(n) AS n FROM oracle.ops WHERE schema = $1 AND tbl = $2 GROUP BY op) o
               FULL JOIN (SELECT CASE operation WHEN ''CREATE'' THEN ''INSERT'' ELSE operation END AS op, count(*) AS n
                          FROM %s WHERE schema = $1 AND "table" = $2 GROUP BY 1) w USING (op)
             WHERE o.n IS DISTINCT FROM w.n', changes::regclass) USING t.schema, t.tbl
        LOOP
            problems := problems + 1;
            RETURN NEXT format('%s: %s operations made %s, changes written %s', t.relid, r.op, coalesce(r.made, 0), r.written);
        END LOOP;
    END LOOP;
    RAISE NOTICE 'oracle: % changes replayed, % problems', applied, problems;
END $$;

-- A summary line for logs: tables, changes, operations counted.
CREATE OR REPLACE FUNCTION oracle.summary(changes text DEFAULT 'public.changes') RETURNS text LANGUAGE plpgsql AS $$
DECLARE n_changes bigint; n_ops bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s c JOIN oracle.tracked t ON t.schema = c.schema AND t.tbl = c."table"', changes::regclass) INTO n_changes;
    SELECT coalesce(sum(n), 0) INTO n_ops FROM oracle.ops;
    RETURN format('%s tables, %s row operations, %s changes', (SELECT count(*) FROM oracle.tracked), n_ops, n_changes);
END $$;
