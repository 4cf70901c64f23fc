-- Partitions with their own replica identity and column order, and TOASTed values: under
-- the root's name (converted to its layout) unchanged values are still named in
-- "unchanged" (identity DEFAULT) or filled from the old row (FULL), as for plain tables.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE ptx (id int, k text, big text, v int, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE ptx_a (v int, big text, dropme int, k text NOT NULL, id int NOT NULL);
ALTER TABLE ptx_a DROP COLUMN dropme;
ALTER TABLE ptx ATTACH PARTITION ptx_a FOR VALUES IN ('a');
CREATE TABLE ptx_b PARTITION OF ptx FOR VALUES IN ('b');
ALTER TABLE ptx_b REPLICA IDENTITY FULL;
SELECT 'init' FROM pg_create_logical_replication_slot('partitions_toast', 'pgtrail');
CREATE TEMP TABLE images (n serial, image jsonb);
INSERT INTO ptx SELECT 1, k, (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 2000) i), 1 FROM (VALUES ('a'), ('b')) v(k);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM ptx t ORDER BY k;
UPDATE ptx SET v = 2;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM ptx t ORDER BY k;
UPDATE ptx SET v = 3, id = 5;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM ptx t ORDER BY k;
DELETE FROM ptx;

SELECT regexp_replace(pg_temp.stable(data), '"[0-9a-f]{100,}"', '"<long>"', 'g') FROM pg_logical_slot_peek_changes('partitions_toast', NULL, NULL)
  WHERE data NOT LIKE '{"op":"_","xid"%';
SELECT regexp_replace(pg_temp.stable(data), '"[0-9a-f]{100,}"', '"<long>"', 'g') FROM pg_logical_slot_peek_changes('partitions_toast', NULL, NULL,
  'partition-root', 'off') WHERE data NOT LIKE '{"op":"_","xid"%';

-- The contract: each I/U record's after is the row's image minus unchanged; a FULL before
-- is the previous image of the row.
CREATE TEMP TABLE rec AS
  SELECT n, data::jsonb AS r FROM pg_logical_slot_get_changes('partitions_toast', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n)
  WHERE data NOT LIKE '{"op":"_","xid"%';
SELECT count(*) AS records, count(*) FILTER (WHERE r->'after' = i.image - ARRAY(SELECT jsonb_array_elements_text(r->'unchanged'))) AS equal,
    count(*) FILTER (WHERE r->>'op' = 'U' AND r->'after'->>'k' = 'b' AND r->'before' = (SELECT image FROM images p WHERE p.n = i.n - 2)) AS full_before_equal
  FROM (SELECT r, row_number() OVER (ORDER BY n) AS k FROM rec WHERE r->>'op' IN ('I', 'U')) x JOIN images i ON i.n = x.k;

SELECT 'drop' FROM pg_drop_replication_slot('partitions_toast');
DROP TABLE ptx;
