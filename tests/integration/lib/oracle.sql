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
    replay  boolean NOT NULL DEFAULT true  -- false: counts only (no key and no REPLICA IDENTITY FULL)
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
    problems int := 0; applied bigint := 0;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS oracle_replica (id bigserial PRIMARY KEY, relid oid, key jsonb, row jsonb);
    TRUNCATE oracle_replica;
    CREATE INDEX IF NOT EXISTS oracle_replica_key ON oracle_replica (relid, key);

    FOR c IN EXECUTE format(
        'SELECT t.relid::oid AS relid, t.keycols, c.operation, c.before, c.after, c.unchanged, c.primary_key, c.commit_lsn, c.ordinal
           FROM %s c JOIN oracle.tracked t ON t.schema = c.schema AND t.tbl = c."table" AND t.replay
          ORDER BY c.commit_lsn, c.ordinal', changes::regclass)
    LOOP
        applied := applied + 1;
        IF c.operation = 'TRUNCATE' THEN
            DELETE FROM oracle_replica WHERE relid = c.relid;
            CONTINUE;
        END IF;
        -- Find the old row.
        old_row := NULL; found_id := NULL;
        IF c.operation IN ('UPDATE', 'DELETE') THEN
            IF c.keycols IS NOT NULL THEN
                old_key := oracle.key_of(coalesce(c.before, c.after), c.keycols);
                SELECT id, row INTO found_id, old_row FROM oracle_replica WHERE relid = c.relid AND key = old_key;
            ELSIF c.before IS NOT NULL THEN
                SELECT id, row INTO found_id, old_row FROM oracle_replica WHERE relid = c.relid AND row = c.before LIMIT 1;
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
            IF c.before IS NOT NULL AND NOT old_row @> c.before THEN
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
        IF c.unchanged IS NOT NULL AND cardinality(c.unchanged) > 0 THEN
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
        INSERT INTO oracle_replica (relid, key, row) VALUES (c.relid, new_key, new_row);
    END LOOP;

    -- Each tracked table against its replay, and its operation counts against its changes.
    FOR t IN SELECT * FROM oracle.tracked ORDER BY schema, tbl LOOP
        -- Rows: unless dropped since (its changes still count) or counted only.
        FOR r IN EXECUTE CASE WHEN to_regclass(format('%I.%I', t.schema, t.tbl)) IS NULL OR NOT t.replay THEN 'SELECT NULL AS what, NULL AS row WHERE false' ELSE format(
            '(SELECT ''missing from the replay'' AS what, row FROM (SELECT to_jsonb(oracle_r.*) AS row FROM %1$s oracle_r
                EXCEPT ALL SELECT row FROM oracle_replica WHERE relid = %2$s) d LIMIT %3$s)
             UNION ALL
             (SELECT ''only in the replay'', row FROM (SELECT row FROM oracle_replica WHERE relid = %2$s
                EXCEPT ALL SELECT to_jsonb(oracle_r.*) FROM %1$s oracle_r) d LIMIT %3$s)', t.relid, t.relid::oid, max_examples) END
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
