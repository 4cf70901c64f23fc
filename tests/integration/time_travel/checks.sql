-- Assertions of the time travel test: each raises an error describing the first difference found.

-- Rows of `which` that differ between two multisets of images (as text, so 1.0 and 1.00 differ).
CREATE FUNCTION tt_difference(label text, expected jsonb[], got jsonb[]) RETURNS text
LANGUAGE sql AS $$
    WITH missing AS (SELECT e::text AS r FROM unnest(expected) e EXCEPT ALL SELECT g::text FROM unnest(got) g),
         extra AS (SELECT g::text AS r FROM unnest(got) g EXCEPT ALL SELECT e::text FROM unnest(expected) e)
    SELECT CASE WHEN EXISTS (SELECT FROM missing) OR EXISTS (SELECT FROM extra) THEN
        format(E'%s differs:\n  missing: %s\n  extra:   %s', label,
               (SELECT string_agg(left(r, 400), E'\n           ') FROM missing),
               (SELECT string_agg(left(r, 400), E'\n           ') FROM extra)) END
$$;

CREATE FUNCTION tt_captured(which regclass, s integer) RETURNS jsonb[]
LANGUAGE sql AS $$
    SELECT coalesce(array_agg(img), '{}') FROM tt_capture WHERE rel = which AND step = s
$$;

-- table_as_of and row_as_of against the captured state, at `steps` random captured instants.
CREATE PROCEDURE tt_check_time_travel(steps integer, keys_per_table integer)
LANGUAGE plpgsql AS $$
DECLARE
    s record;
    which regclass;
    problem text;
    k text;
    expected jsonb;
    got jsonb;
    typed text;
    checked_rows bigint := 0;
    checked_keys bigint := 0;
    started timestamptz;
    table_time interval := '0';
    row_time interval := '0';
BEGIN
    -- Each captured row's key, computed once.
    ALTER TABLE tt_capture ADD COLUMN IF NOT EXISTS key text;
    UPDATE tt_capture SET key = pgtrail.key_of(pgtrail.key_columns(rel), img) WHERE key IS NULL;
    CREATE INDEX IF NOT EXISTS tt_capture_rel_step_key ON tt_capture (rel, step, key);
    ANALYZE tt_capture;
    DROP TABLE IF EXISTS tt_all_keys;
    CREATE TEMP TABLE tt_all_keys AS SELECT DISTINCT rel, key FROM tt_capture;
    FOR s IN SELECT step, at FROM tt_steps WHERE step >= 0 ORDER BY random() LIMIT steps LOOP
        FOREACH which IN ARRAY tt_tables() LOOP
            started := clock_timestamp();
            problem := tt_difference(format('table_as_of(%s, %s) [step %s]', which, s.at, s.step),
                                     tt_captured(which, s.step),
                                     ARRAY(SELECT pgtrail.table_as_of(which, s.at)));
            IF problem IS NOT NULL THEN
                RAISE EXCEPTION '%', problem;
            END IF;
            checked_rows := checked_rows + cardinality(tt_captured(which, s.step));
            table_time := table_time + (clock_timestamp() - started);
            -- Keys that exist at some step, present or not at this one.
            FOR k IN SELECT key FROM tt_all_keys WHERE rel = which ORDER BY random() LIMIT keys_per_table LOOP
                SELECT img INTO expected FROM tt_capture WHERE rel = which AND step = s.step AND key = k;
                started := clock_timestamp();
                got := pgtrail.row_as_of(which, k, s.at);
                row_time := row_time + (clock_timestamp() - started);
                IF got::text IS DISTINCT FROM expected::text THEN
                    RAISE EXCEPTION E'row_as_of(%, %, %) [step %]:\n  expected %\n  got      %', which, k, s.at, s.step,
                        left(expected::text, 400), left(got::text, 400);
                END IF;
                IF got IS NOT NULL THEN
                    -- The typed row converts back to the same image: nothing was lost on the way.
                    EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%s, $1))::text', which)
                        INTO typed USING got;
                    IF typed <> got::text THEN
                        RAISE EXCEPTION E'jsonb_populate_record(NULL::%s, row_as_of(...)) changes the row:\n  % \n  %',
                            which, left(got::text, 400), left(typed, 400);
                    END IF;
                END IF;
                checked_keys := checked_keys + 1;
            END LOOP;
        END LOOP;
    END LOOP;
    RAISE NOTICE 'time travel: % instants, % captured rows and % row_as_of lookups agree (table_as_of took %, row_as_of %)',
        steps, checked_rows, checked_keys, table_time, row_time;
END
$$;

-- Every tracked table now equals the capture of step `s`.
CREATE PROCEDURE tt_check_state_is(s integer, label text)
LANGUAGE plpgsql AS $$
DECLARE
    which regclass;
    problem text;
    now_rows jsonb[];
BEGIN
    FOREACH which IN ARRAY tt_tables() LOOP
        EXECUTE format('SELECT coalesce(array_agg(to_jsonb(tt_row.*)), ''{}'') FROM %s tt_row', which) INTO now_rows;
        problem := tt_difference(format('%s: table %s compared with step %s', label, which, s),
                                 tt_captured(which, s), now_rows);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION '%', problem;
        END IF;
    END LOOP;
    RAISE NOTICE '%: every table equals step %', label, s;
END
$$;

-- table_as_of(now()) equals every table now.
CREATE PROCEDURE tt_check_present(label text)
LANGUAGE plpgsql AS $$
DECLARE
    which regclass;
    problem text;
    now_rows jsonb[];
BEGIN
    FOREACH which IN ARRAY tt_tables() LOOP
        EXECUTE format('SELECT coalesce(array_agg(to_jsonb(tt_row.*)), ''{}'') FROM %s tt_row', which) INTO now_rows;
        problem := tt_difference(format('%s: table_as_of(%s, now())', label, which), now_rows,
                                 ARRAY(SELECT pgtrail.table_as_of(which, clock_timestamp())));
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION '%', problem;
        END IF;
    END LOOP;
    RAISE NOTICE '%: table_as_of(now()) equals every table', label;
END
$$;

-- One transaction touching every table every way (key changes, TOAST left unchanged, FULL identity).
CREATE PROCEDURE tt_rich_transaction() LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_logical_emit_message(true, '_bemi', '{"request_id": "rich", "user_id": 42}');
    INSERT INTO tt_types (id, t, num, ia, pair, tstz) VALUES (nextval('tt_keys'), E'new \'row\'', 'NaN', '{1,NULL}',
                                                              ROW(7, 'seven'), '-infinity');
    UPDATE tt_types SET t = 'rich', jb = '{"rich": [1, 2]}', md = '{{5,6},{7,8}}', iv = '-3 days'
    WHERE id = (SELECT min(id) FROM tt_types);
    UPDATE tt_types SET id = nextval('tt_keys'), f8 = '-Infinity' WHERE id = (SELECT max(id) FROM tt_types WHERE t IS DISTINCT FROM E'new \'row\'');
    DELETE FROM tt_types WHERE id = (SELECT min(id) FROM tt_types WHERE t IS DISTINCT FROM 'rich');
    INSERT INTO tt_comp VALUES ('rich', nextval('tt_keys'), 1.000, 'r');
    UPDATE tt_comp SET n = nextval('tt_keys'), qty = 2.50 WHERE (region, n) = (SELECT region, n FROM tt_comp ORDER BY n LIMIT 1);
    DELETE FROM tt_comp WHERE (region, n) = (SELECT region, n FROM tt_comp ORDER BY n DESC LIMIT 1 OFFSET 1);
    INSERT INTO tt_full VALUES (nextval('tt_keys'), 'rich', tt_big(3), clock_timestamp());
    UPDATE tt_full SET v = 'rich-updated' WHERE id = (SELECT min(id) FROM tt_full);
    UPDATE tt_full SET id = nextval('tt_keys') WHERE id = (SELECT max(id) FROM tt_full WHERE v <> 'rich');
    DELETE FROM tt_full WHERE id = (SELECT min(id) FROM tt_full WHERE v IS DISTINCT FROM 'rich-updated');
    INSERT INTO tt_toast VALUES (nextval('tt_keys'), tt_big(6), 1, 'rich');
    UPDATE tt_toast SET counter = counter + 100 WHERE id = (SELECT min(id) FROM tt_toast);
    UPDATE tt_toast SET counter = counter + 1 WHERE id = (SELECT min(id) FROM tt_toast);
    UPDATE tt_toast SET id = nextval('tt_keys') WHERE id = (SELECT min(id) FROM tt_toast);
    UPDATE tt_toast SET doc = tt_big(5) WHERE id = (SELECT max(id) FROM tt_toast WHERE note IS DISTINCT FROM 'rich');
    UPDATE tt_toast SET counter = -7 WHERE id = (SELECT max(id) FROM tt_toast WHERE note IS DISTINCT FROM 'rich');
    DELETE FROM tt_toast WHERE id = (SELECT min(id) FROM tt_toast WHERE note IS DISTINCT FROM 'rich');
    INSERT INTO "Tt Schema"."Order Items" ("Qty", "Label") VALUES (9, 'rich');
    UPDATE "Tt Schema"."Order Items" SET "Qty" = -1 WHERE "Item Id" = (SELECT min("Item Id") FROM "Tt Schema"."Order Items");
    DELETE FROM "Tt Schema"."Order Items" WHERE "Item Id" = (SELECT max("Item Id") FROM "Tt Schema"."Order Items" WHERE "Label" IS DISTINCT FROM 'rich');
END
$$;
