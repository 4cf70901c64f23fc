-- A transaction larger than logical_decoding_work_mem is spilled to disk and read back:
-- its records (TOASTed values and unchanged ones included) are the same as in memory.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

SET logical_decoding_work_mem = '64kB';
CREATE TABLE lx (id int PRIMARY KEY, v text, big text);
SELECT 'init' FROM pg_create_logical_replication_slot('large_xact', 'pgtrail');
CREATE TEMP TABLE images (k serial, image jsonb);
BEGIN;
INSERT INTO lx SELECT i, 'row ' || i, CASE WHEN i % 500 = 0 THEN (SELECT string_agg(md5(i::text || j), '') FROM generate_series(1, 700) j) END
  FROM generate_series(1, 5000) i;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM lx t ORDER BY id;
SAVEPOINT s;
UPDATE lx SET v = v || ' updated' WHERE id % 250 = 0;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM lx t WHERE id % 250 = 0 ORDER BY id;
COMMIT;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('large_xact', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT data::jsonb->>'op' AS op, count(*), count(*) FILTER (WHERE data::jsonb ? 'unchanged') AS with_unchanged
  FROM rec GROUP BY 1 ORDER BY 1;
-- The spill files were used.
SELECT spill_txns > 0 AS spilled FROM pg_stat_replication_slots WHERE slot_name = 'large_xact';

-- The contract: each I/U record's after is the row's image at that point, minus unchanged.
SELECT count(*) AS records, count(*) FILTER (WHERE r->'after' = i.image - ARRAY(SELECT jsonb_array_elements_text(r->'unchanged'))) AS equal
  FROM (SELECT data::jsonb AS r, row_number() OVER (ORDER BY n) AS k FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U')) r JOIN images i USING (k);

SELECT 'drop' FROM pg_drop_replication_slot('large_xact');
DROP TABLE lx;
