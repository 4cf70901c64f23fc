-- Every way of writing rows gives the same records: INSERT ... SELECT, multi-row UPDATE,
-- INSERT ... ON CONFLICT (insert, update, nothing), MERGE, COPY, DML in a CTE, an UPDATE
-- that changes nothing (still a U record).
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE dv (id int PRIMARY KEY, v text, n int DEFAULT 0);
SELECT 'init' FROM pg_create_logical_replication_slot('dml_variants', 'pgtrail');
CREATE TEMP TABLE images (k serial, image jsonb);
INSERT INTO dv SELECT i, 'v' || i FROM generate_series(1, 3) i;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t ORDER BY id;
UPDATE dv SET n = n + 1 WHERE id <= 2;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t WHERE id <= 2 ORDER BY id;
INSERT INTO dv VALUES (3, 'upserted'), (4, 'new') ON CONFLICT (id) DO UPDATE SET v = excluded.v, n = dv.n + 10;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t WHERE id IN (3, 4) ORDER BY id;
INSERT INTO dv VALUES (4, 'ignored') ON CONFLICT DO NOTHING;
MERGE INTO dv USING (VALUES (1, 'merged'), (5, 'merge insert')) AS s (id, v) ON dv.id = s.id
  WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t WHERE id IN (1, 5) ORDER BY id;
COPY dv (id, v) FROM STDIN;
6	copied "quoted"
7	\N
\.
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t WHERE id IN (6, 7) ORDER BY id;
WITH moved AS (DELETE FROM dv WHERE id = 2 RETURNING id, v) INSERT INTO dv SELECT id + 100, v FROM moved;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t WHERE id = 102;
UPDATE dv SET v = v WHERE id = 3;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dv t WHERE id = 3;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('dml_variants', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: each I/U record's after is the row's image at that point.
SELECT count(*) AS records, count(*) FILTER (WHERE r.after = i.image) AS equal
  FROM (SELECT data::jsonb->'after' AS after, row_number() OVER (ORDER BY n) AS k FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U')) r JOIN images i USING (k);

SELECT 'drop' FROM pg_drop_replication_slot('dml_variants');
DROP TABLE dv;
