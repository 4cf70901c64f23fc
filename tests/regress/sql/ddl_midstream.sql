-- Schema changes between (and inside) decoded transactions: each record shows the table
-- as it was when the change was made (renamed tables and columns, changed types, added and
-- dropped columns, a table dropped and created again under the same name).
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE dm (id int PRIMARY KEY, a int);
SELECT 'init' FROM pg_create_logical_replication_slot('ddl_midstream', 'pgtrail');
CREATE TEMP TABLE images (k serial, image jsonb);
INSERT INTO dm VALUES (1, 1);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm t WHERE id = 1;
ALTER TABLE dm RENAME COLUMN a TO b;
INSERT INTO dm VALUES (2, 2);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm t WHERE id = 2;
ALTER TABLE dm ALTER COLUMN b TYPE text USING b::text || '!';
INSERT INTO dm VALUES (3, 'three');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm t WHERE id = 3;
ALTER TABLE dm RENAME TO dm_renamed;
CREATE SCHEMA dm_schema;
ALTER TABLE dm_renamed SET SCHEMA dm_schema;
INSERT INTO dm_schema.dm_renamed VALUES (4, 'four');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm_schema.dm_renamed t WHERE id = 4;
BEGIN;
INSERT INTO dm_schema.dm_renamed VALUES (5, 'before add');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm_schema.dm_renamed t WHERE id = 5;
ALTER TABLE dm_schema.dm_renamed ADD COLUMN c jsonb DEFAULT '{"d": 1}';
UPDATE dm_schema.dm_renamed SET b = 'after add' WHERE id = 5;
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm_schema.dm_renamed t WHERE id = 5;
ALTER TABLE dm_schema.dm_renamed DROP COLUMN b;
INSERT INTO dm_schema.dm_renamed VALUES (6);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm_schema.dm_renamed t WHERE id = 6;
COMMIT;
DROP TABLE dm_schema.dm_renamed;
CREATE TABLE dm_schema.dm_renamed (id text PRIMARY KEY, x bool);
INSERT INTO dm_schema.dm_renamed VALUES ('seven', true);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM dm_schema.dm_renamed t;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('ddl_midstream', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: each I/U record's after is the row's image at that point.
SELECT count(*) AS records, count(*) FILTER (WHERE r.after = i.image) AS equal
  FROM (SELECT data::jsonb->'after' AS after, row_number() OVER (ORDER BY n) AS k FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U')) r JOIN images i USING (k);

SELECT 'drop' FROM pg_drop_replication_slot('ddl_midstream');
DROP SCHEMA dm_schema CASCADE;
