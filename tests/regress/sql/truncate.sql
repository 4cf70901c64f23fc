-- TRUNCATE: one T record per truncated relation, with its cascade and restart identity
-- flags. A partitioned table truncated whole gives one record for its root (partition-root
-- on) or one per relation (off); a partition truncated alone is reported under its own
-- name either way, since the root's other partitions keep their rows (once, for a
-- partitioned partition with its own partitions).
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE parent (id serial PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE TABLE lone (id int);
CREATE TABLE part (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (10);
CREATE TABLE part_2 PARTITION OF part FOR VALUES FROM (10) TO (20) PARTITION BY LIST (id);
CREATE TABLE part_2a PARTITION OF part_2 FOR VALUES IN (1);
CREATE TABLE part_2b PARTITION OF part_2 FOR VALUES IN (2);
SELECT 'init' FROM pg_create_logical_replication_slot('truncate', 'pgtrail');
TRUNCATE lone;
TRUNCATE parent CASCADE;
TRUNCATE parent, child RESTART IDENTITY;
BEGIN;
INSERT INTO lone VALUES (1);
TRUNCATE lone, parent CASCADE;
COMMIT;
TRUNCATE part;
TRUNCATE part_2;
TRUNCATE part_1, part_2;
TRUNCATE part_2b;

SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('truncate', NULL, NULL);
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('truncate', NULL, NULL, 'partition-root', 'off')
  WHERE data LIKE '%"part%';
SELECT pg_temp.stable(data) FROM pg_logical_slot_get_changes('truncate', NULL, NULL, 'exclude-tables', 'public.child,public.part');

SELECT 'drop' FROM pg_drop_replication_slot('truncate');
DROP TABLE parent, child, lone, part;
