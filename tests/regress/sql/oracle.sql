-- The oracle: a random but repeatable workload (fixed seed) of inserts, updates (some
-- changing the key, some leaving TOASTed values alone) and deletes over two tables of many
-- types, one with REPLICA IDENTITY FULL, in many transactions, some rolled back, some with
-- rolled back subtransactions. Every row operation logs to_jsonb of the row (new row for
-- I/U, old row for D and U's before) in oracle_log, in the same (sub)transaction, so the
-- log holds exactly the committed operations. The decoded records (oracle_log excluded
-- with exclude-tables) must match the log one to one, in order.
CREATE TYPE oracle_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE oracle_pair AS (a int, b text);
CREATE DOMAIN oracle_posint AS int CHECK (VALUE > 0);
CREATE TABLE oracle_a (id int PRIMARY KEY, i2 int2, i8 int8, n numeric, f8 float8, f4 float4, b bool, t text,
  vc varchar(40), by bytea, j jsonb, js json, d date, ts timestamp, tstz timestamptz, iv interval, u uuid,
  ia int[], ta text[], p oracle_pair, r int4range, ip inet, m oracle_mood, dp oracle_posint, big text);
CREATE TABLE oracle_b (LIKE oracle_a INCLUDING ALL);
ALTER TABLE oracle_b REPLICA IDENTITY FULL;
CREATE TABLE oracle_log (k serial PRIMARY KEY, tab text, op text, before jsonb, image jsonb);

-- Random values, tricky ones included.
CREATE FUNCTION pg_temp.pick(VARIADIC choices text[]) RETURNS text LANGUAGE sql AS $$
  SELECT choices[1 + floor(random() * array_length(choices, 1))::int]
$$;
CREATE FUNCTION pg_temp.tricky() RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.pick('plain', 'say "hi"', 'back\slash', E'tab\tnl\n', E'ctl\x01\x1f', '😀 日本', '\u0041', '', 'null',
    md5(random()::text))
$$;
CREATE FUNCTION pg_temp.random_row(new_id int) RETURNS oracle_a LANGUAGE sql AS $$
  SELECT new_id,
    CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 65535 - 32768)::int2 END,
    CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 9e18 - 4.5e18)::int8 END,
    pg_temp.pick(NULL, 'NaN', 'Infinity', '-Infinity', '0', round((random() * 2e6 - 1e6)::numeric, 4)::text,
      (random() * 1e30)::numeric::text, '0.000000001')::numeric,
    pg_temp.pick(NULL, 'NaN', 'Infinity', '-Infinity', '-0', '1e-300', (random() * 2e10 - 1e10)::text, random()::text)::float8,
    pg_temp.pick(NULL, 'NaN', '-0', (random() * 1000)::float4::text, '3.4e38')::float4,
    CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.5 END,
    CASE WHEN random() < 0.1 THEN NULL ELSE pg_temp.tricky() END,
    CASE WHEN random() < 0.1 THEN NULL ELSE left(pg_temp.tricky(), 40) END,
    pg_temp.pick(NULL, '\x', '\x' || md5(random()::text))::bytea,
    CASE WHEN random() < 0.1 THEN NULL WHEN random() < 0.1 THEN 'null'::jsonb
      ELSE jsonb_build_object('k', random(), 's', pg_temp.tricky(), 'a', jsonb_build_array(1, 'x', NULL, random() < 0.5)) END,
    CASE WHEN random() < 0.1 THEN NULL ELSE format('{ "n" : %s, "s" : %s }', round(random()::numeric, 6), to_json(pg_temp.tricky()))::json END,
    pg_temp.pick(NULL, 'infinity', '-infinity', ('2000-01-01'::date + (random() * 20000)::int)::text)::date,
    pg_temp.pick(NULL, 'infinity', ('2000-01-01'::timestamp + random() * interval '10000 days')::text)::timestamp,
    pg_temp.pick(NULL, '-infinity', ('2000-01-01 00:00+00'::timestamptz + random() * interval '10000 days')::text)::timestamptz,
    CASE WHEN random() < 0.1 THEN NULL ELSE random() * interval '1000 hours' - interval '1 year' END,
    CASE WHEN random() < 0.1 THEN NULL ELSE md5(random()::text)::uuid END,
    pg_temp.pick(NULL, '{}', '{{1,2},{3,NULL}}', format('{%s,NULL,%s}', (random() * 100)::int, (random() * 100)::int))::int[],
    CASE WHEN random() < 0.1 THEN NULL ELSE ARRAY[pg_temp.tricky(), NULL, pg_temp.tricky()] END,
    CASE WHEN random() < 0.1 THEN NULL ELSE ROW((random() * 10)::int, pg_temp.tricky())::oracle_pair END,
    pg_temp.pick(NULL, 'empty', format('[%s,%s)', (random() * 10)::int, 10 + (random() * 10)::int))::int4range,
    pg_temp.pick(NULL, '::1', format('10.%s.0.1/16', (random() * 255)::int))::inet,
    pg_temp.pick(NULL, 'sad', 'ok', 'happy')::oracle_mood,
    CASE WHEN random() < 0.1 THEN NULL ELSE 1 + (random() * 1000)::int END,
    -- Now and then a value large enough to be TOASTed (about 22 kB of hex).
    CASE WHEN random() < 0.2 THEN (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 700))
         WHEN random() < 0.5 THEN NULL ELSE pg_temp.tricky() END
$$;

-- One row operation on table tab, logged in the same (sub)transaction.
CREATE FUNCTION pg_temp.row_op(tab text, next_id int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  victim int;
  old_image jsonb;
  new_image jsonb;
  dice float8 := random();
BEGIN
  -- A random row, independent of the rows' physical order (which pruning may change).
  EXECUTE format('SELECT id, to_jsonb(o.*) FROM %I o ORDER BY id OFFSET floor(random() * (SELECT count(*) FROM %I))::int LIMIT 1',
    tab, tab) INTO victim, old_image;
  IF victim IS NULL OR dice < 0.35 THEN
    EXECUTE format('INSERT INTO %I AS o SELECT (pg_temp.random_row($1)).* RETURNING to_jsonb(o.*)', tab) INTO new_image USING next_id;
    INSERT INTO oracle_log (tab, op, image) VALUES (tab, 'I', new_image);
  ELSIF dice < 0.55 THEN
    -- Small columns only: big (maybe TOASTed) is left alone.
    EXECUTE format('UPDATE %I AS o SET n = r.n, t = r.t, j = r.j, ia = r.ia, tstz = r.tstz FROM pg_temp.random_row(0) r
      WHERE o.id = $1 RETURNING to_jsonb(o.*)', tab) INTO new_image USING victim;
    INSERT INTO oracle_log (tab, op, before, image) VALUES (tab, 'U', old_image, new_image);
  ELSIF dice < 0.7 THEN
    -- Every column but the key.
    EXECUTE format('UPDATE %I AS o SET (i2, i8, n, f8, f4, b, t, vc, by, j, js, d, ts, tstz, iv, u, ia, ta, p, r, ip, m, dp, big) =
      (SELECT i2, i8, n, f8, f4, b, t, vc, by, j, js, d, ts, tstz, iv, u, ia, ta, p, r, ip, m, dp, big FROM pg_temp.random_row(0))
      WHERE o.id = $1 RETURNING to_jsonb(o.*)', tab) INTO new_image USING victim;
    INSERT INTO oracle_log (tab, op, before, image) VALUES (tab, 'U', old_image, new_image);
  ELSIF dice < 0.8 THEN
    -- The key changes (the old key is in the WAL).
    EXECUTE format('UPDATE %I AS o SET id = $2, b = NOT b WHERE o.id = $1 RETURNING to_jsonb(o.*)', tab)
      INTO new_image USING victim, next_id;
    INSERT INTO oracle_log (tab, op, before, image) VALUES (tab, 'U', old_image, new_image);
  ELSE
    EXECUTE format('DELETE FROM %I AS o WHERE o.id = $1', tab) USING victim;
    INSERT INTO oracle_log (tab, op, before) VALUES (tab, 'D', old_image);
  END IF;
END
$$;

SELECT 'init' FROM pg_create_logical_replication_slot('oracle', 'pgtrail');
SELECT setseed(0.2026);
DO $$
DECLARE
  next_id int := 1;
BEGIN
  FOR xact IN 1..300 LOOP
    FOR stmt IN 1..1 + (random() * 4)::int LOOP
      IF random() < 0.1 THEN
        -- A subtransaction, rolled back half of the time.
        BEGIN
          PERFORM pg_temp.row_op(CASE WHEN random() < 0.5 THEN 'oracle_a' ELSE 'oracle_b' END, next_id);
          IF random() < 0.5 THEN RAISE EXCEPTION 'undo'; END IF;
        EXCEPTION WHEN raise_exception THEN NULL;
        END;
      ELSE
        PERFORM pg_temp.row_op(CASE WHEN random() < 0.5 THEN 'oracle_a' ELSE 'oracle_b' END, next_id);
      END IF;
      next_id := next_id + 1;
    END LOOP;
    IF random() < 0.1 THEN ROLLBACK; ELSE COMMIT; END IF;
  END LOOP;
END
$$;

CREATE TEMP TABLE rec AS
  SELECT n, data::jsonb AS r FROM pg_logical_slot_get_changes('oracle', NULL, NULL, 'exclude-tables', 'public.oracle_log')
    WITH ORDINALITY AS c(lsn, xid, data, n)
  WHERE data NOT LIKE '{"op":"_","xid"%';
CREATE TEMP TABLE matched AS
  SELECT seq, l.tab, l.op, rec.r,
    CASE
      WHEN rec.r IS NULL OR rec.r->>'op' <> l.op OR rec.r->>'table' <> l.tab THEN 'wrong record'
      WHEN l.op IN ('I', 'U') AND rec.r->'after' <> l.image - ARRAY(SELECT jsonb_array_elements_text(rec.r->'unchanged'))
        THEN 'after differs from to_jsonb'
      WHEN rec.r ? 'unchanged' AND (l.tab = 'oracle_b' OR rec.r->'unchanged' <> '["big"]') THEN 'unexpected unchanged'
      WHEN l.op IN ('U', 'D') AND l.tab = 'oracle_b' AND rec.r->'before' IS DISTINCT FROM l.before THEN 'before differs from old row'
      WHEN l.op = 'D' AND l.tab = 'oracle_a' AND rec.r->'before' <> jsonb_build_object('id', l.before->'id') THEN 'before is not the old key'
      WHEN l.op = 'U' AND l.tab = 'oracle_a' AND rec.r->'before' IS DISTINCT FROM
        CASE WHEN l.before->'id' <> l.image->'id' THEN jsonb_build_object('id', l.before->'id') END THEN 'before is not the old key'
      ELSE 'ok'
    END AS verdict
  FROM (SELECT *, row_number() OVER (ORDER BY k) AS seq FROM oracle_log) l
    FULL JOIN (SELECT r, row_number() OVER (ORDER BY n) AS seq FROM rec) rec USING (seq);

-- Counts of logged row operations and of decoded records: equal.
SELECT (SELECT count(*) FROM oracle_log) AS row_operations, (SELECT count(*) FROM rec) AS records;
SELECT tab, op, count(*) AS operations, count(*) FILTER (WHERE r ? 'unchanged') AS with_unchanged
  FROM matched GROUP BY tab, op ORDER BY tab, op;
SELECT count(*) FILTER (WHERE verdict <> 'ok') AS mismatches FROM matched;
-- The first few mismatches, if any, to debug with.
SELECT seq, tab, op, verdict FROM matched WHERE verdict <> 'ok' ORDER BY seq LIMIT 5;

SELECT 'drop' FROM pg_drop_replication_slot('oracle');
DROP FUNCTION pg_temp.row_op(text, int), pg_temp.random_row(int);
DROP TABLE oracle_a, oracle_b, oracle_log;
DROP DOMAIN oracle_posint;
DROP TYPE oracle_pair, oracle_mood;
