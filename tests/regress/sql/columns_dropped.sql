-- Dropped columns never appear, whether dropped before or after the row was written;
-- columns added later with a default show that default for rows written before
-- (as to_jsonb does), also in a REPLICA IDENTITY FULL before image.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE cols (id int PRIMARY KEY, gone_early text, a int, gone_late text);
ALTER TABLE cols DROP COLUMN gone_early;
ALTER TABLE cols REPLICA IDENTITY FULL;
INSERT INTO cols (id, a, gone_late) VALUES (1, 10, 'x'), (2, 20, 'y'), (3, 30, 'z');
SELECT 'init' FROM pg_create_logical_replication_slot('columns_dropped', 'pgtrail');
CREATE TEMP TABLE images (k serial, image jsonb);
INSERT INTO cols (id, a, gone_late) VALUES (4, 40, 'w');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM cols t WHERE id = 4;
ALTER TABLE cols DROP COLUMN gone_late;
ALTER TABLE cols ADD COLUMN d int DEFAULT 42, ADD COLUMN e text, ADD COLUMN f timestamptz DEFAULT '2026-01-01 00:00+00';
CREATE TEMP TABLE old_rows AS SELECT id, to_jsonb(t.*) AS image FROM cols t;
UPDATE cols SET a = a + 1 WHERE id = 1;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM cols t WHERE id = 1;
DELETE FROM cols WHERE id = 2;
INSERT INTO cols (id, a) VALUES (5, 50);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM cols t WHERE id = 5;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('columns_dropped', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: each I/U record's after is the row's image at that point ...
SELECT count(*) AS records, count(*) FILTER (WHERE r.after = i.image) AS equal
  FROM (SELECT data::jsonb->'after' AS after, row_number() OVER (ORDER BY n) AS k FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U')) r JOIN images i USING (k);
-- ... and the before images after the ALTERs are to_jsonb(old row).
SELECT r.data::jsonb->>'op' AS op, r.data::jsonb->'before' = o.image AS before_equal
  FROM rec r JOIN old_rows o ON o.id = (r.data::jsonb->'before'->>'id')::int WHERE r.data::jsonb ? 'before' ORDER BY r.n;

SELECT 'drop' FROM pg_drop_replication_slot('columns_dropped');
DROP TABLE cols;
