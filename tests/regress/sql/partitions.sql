-- Partitioned tables. With partition-root on (the default) every change of a partition,
-- however deep, is reported under the root's name, in the root's column order, with the
-- root's key; with it off, under the partition's own name. Table filters apply to a
-- partition and its ancestors: include-tables naming the root selects its partitions'
-- changes, exclude-tables naming a partition or the root drops them.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE meas (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE meas_eu PARTITION OF meas FOR VALUES IN ('eu');
-- A partition with another column order and a dropped column: rows need converting.
CREATE TABLE meas_us (v int, dropped int, region text NOT NULL, id int NOT NULL);
ALTER TABLE meas_us DROP COLUMN dropped;
ALTER TABLE meas ATTACH PARTITION meas_us FOR VALUES IN ('us');
CREATE TABLE meas_asia PARTITION OF meas FOR VALUES IN ('asia') PARTITION BY RANGE (id);
CREATE TABLE meas_asia_low PARTITION OF meas_asia FOR VALUES FROM (0) TO (100);
SELECT 'init' FROM pg_create_logical_replication_slot('partitions', 'pgtrail');
CREATE TEMP TABLE images (k serial, image jsonb);
INSERT INTO meas VALUES (1, 'eu', 10), (2, 'us', 20), (3, 'asia', 30);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM meas t ORDER BY id;
UPDATE meas SET v = 21 WHERE id = 2;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM meas t WHERE id = 2;
UPDATE meas SET region = 'us' WHERE id = 1;   -- moves the row: a delete and an insert
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM meas t WHERE id = 1;
DELETE FROM meas WHERE id = 3;

SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL);
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL, 'partition-root', 'off');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL, 'include-tables', 'public.meas')
  WHERE data LIKE '{"op":"I"%';
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL, 'include-tables', 'public.meas',
  'partition-root', 'off') WHERE data LIKE '{"op":"I"%';
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL, 'exclude-tables', 'public.meas_us')
  WHERE data LIKE '{"op":"I"%';
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL, 'include-tables', 'public.meas_asia',
  'partition-root', 'off') WHERE data LIKE '{"op":"I"%';
SELECT count(*) FROM pg_logical_slot_peek_changes('partitions', NULL, NULL, 'exclude-tables', 'public.meas',
  'partition-root', 'off');

-- The contract: each I/U record's after is the row's image at that point.
CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('partitions', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT count(*) AS records, count(*) FILTER (WHERE r.after = i.image) AS equal
  FROM (SELECT data::jsonb->'after' AS after, row_number() OVER (ORDER BY n) AS k FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U')) r JOIN images i USING (k);

SELECT 'drop' FROM pg_drop_replication_slot('partitions');
DROP TABLE meas;
