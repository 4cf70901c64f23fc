-- UPDATE and DELETE under each replica identity. before is present when the old row is
-- in the WAL: all columns with FULL, the key columns when the key changed (DEFAULT, USING
-- INDEX) and on DELETE; never with NOTHING. pk names the replica identity's key (the index
-- under USING INDEX, the primary key under DEFAULT), else the primary key, else is empty:
-- a key-only before always holds exactly the pk columns.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE ri_default (id int PRIMARY KEY, v text);
CREATE TABLE ri_full (id int PRIMARY KEY, v text);
ALTER TABLE ri_full REPLICA IDENTITY FULL;
CREATE TABLE ri_index (a int NOT NULL, b int NOT NULL, v text);
CREATE UNIQUE INDEX ri_index_ab ON ri_index (b, a);
ALTER TABLE ri_index REPLICA IDENTITY USING INDEX ri_index_ab;
CREATE TABLE ri_nothing (id int PRIMARY KEY, v text);
ALTER TABLE ri_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE ri_nokey (id int, v text);
CREATE TABLE ri_nokey_full (id int, v text);
ALTER TABLE ri_nokey_full REPLICA IDENTITY FULL;
CREATE TABLE ri_composite (k1 text, k2 int, v text, PRIMARY KEY (k2, k1));
-- A primary key and another replica identity index: pk names the replica identity index's
-- columns, which before carries (what the WAL holds), so a DELETE's key is known.
CREATE TABLE ri_pk_and_index (id int PRIMARY KEY, code text NOT NULL UNIQUE, v text);
ALTER TABLE ri_pk_and_index REPLICA IDENTITY USING INDEX ri_pk_and_index_code_key;
SELECT 'init' FROM pg_create_logical_replication_slot('replica_identity', 'pgtrail');
-- Images of the rows after each statement, in a temporary table (never decoded).
CREATE TEMP TABLE images (k serial, tab text, image jsonb);
CREATE FUNCTION pg_temp.snap(tab regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('INSERT INTO images (tab, image) SELECT %L, to_jsonb(t.*) FROM %s t', tab::text, tab);
END
$$;
INSERT INTO ri_default VALUES (1, 'a'); SELECT pg_temp.snap('ri_default');
UPDATE ri_default SET v = 'b'; SELECT pg_temp.snap('ri_default');
UPDATE ri_default SET id = 2, v = 'c'; SELECT pg_temp.snap('ri_default');
DELETE FROM ri_default;
INSERT INTO ri_full VALUES (1, 'a'); SELECT pg_temp.snap('ri_full');
UPDATE ri_full SET v = 'b'; SELECT pg_temp.snap('ri_full');
UPDATE ri_full SET id = 2; SELECT pg_temp.snap('ri_full');
DELETE FROM ri_full;
INSERT INTO ri_index VALUES (1, 2, 'a'); SELECT pg_temp.snap('ri_index');
UPDATE ri_index SET v = 'b'; SELECT pg_temp.snap('ri_index');
UPDATE ri_index SET a = 3; SELECT pg_temp.snap('ri_index');
DELETE FROM ri_index;
INSERT INTO ri_nothing VALUES (1, 'a'); SELECT pg_temp.snap('ri_nothing');
UPDATE ri_nothing SET id = 2; SELECT pg_temp.snap('ri_nothing');
DELETE FROM ri_nothing;
INSERT INTO ri_nokey VALUES (1, 'a'); SELECT pg_temp.snap('ri_nokey');
DELETE FROM ri_nokey;
INSERT INTO ri_nokey_full VALUES (1, NULL); SELECT pg_temp.snap('ri_nokey_full');
UPDATE ri_nokey_full SET v = 'b'; SELECT pg_temp.snap('ri_nokey_full');
DELETE FROM ri_nokey_full;
INSERT INTO ri_composite VALUES ('x', 1, 'a'); SELECT pg_temp.snap('ri_composite');
UPDATE ri_composite SET k1 = 'y'; SELECT pg_temp.snap('ri_composite');
DELETE FROM ri_composite;
INSERT INTO ri_pk_and_index VALUES (1, 'a', 'x'); SELECT pg_temp.snap('ri_pk_and_index');
UPDATE ri_pk_and_index SET code = 'b'; SELECT pg_temp.snap('ri_pk_and_index');
UPDATE ri_pk_and_index SET id = 2; SELECT pg_temp.snap('ri_pk_and_index');
DELETE FROM ri_pk_and_index;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('replica_identity', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: each I/U record's after is the row's image at that point; before is the
-- previous image (FULL) or its key columns.
WITH records AS (
  SELECT n, data::jsonb AS r, row_number() OVER (PARTITION BY data::jsonb->>'table' ORDER BY n) AS k
    FROM rec WHERE data::jsonb->>'op' IN ('I', 'U')),
images_by_table AS (SELECT tab, image, row_number() OVER (PARTITION BY tab ORDER BY k) AS k FROM images)
SELECT r->>'table' AS "table", count(*) AS records, count(*) FILTER (WHERE r->'after' = i.image) AS after_equal,
    count(*) FILTER (WHERE r->'before' = p.image) AS before_is_previous_image,
    count(*) FILTER (WHERE r->'before' <@ p.image AND r->'before' <> p.image) AS before_is_its_key,
    count(*) FILTER (WHERE NOT r->'before' <@ p.image) AS before_wrong
  FROM records JOIN images_by_table i ON i.tab = r->>'table' AND i.k = records.k
    LEFT JOIN images_by_table p ON p.tab = i.tab AND p.k = i.k - 1
  GROUP BY 1 ORDER BY 1;

-- Every key-only before holds exactly the pk columns, so each change's key can be read from it.
SELECT r->>'table' AS "table", r->>'op' AS op, r->'pk' AS pk, r->'before' AS before
  FROM (SELECT n, data::jsonb AS r FROM rec) x
  WHERE r ? 'before' AND r->>'table' NOT LIKE '%full'
    AND (SELECT array_agg(k ORDER BY k) FROM jsonb_array_elements_text(r->'pk') k)
        IS DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(r->'before') k)
  ORDER BY n;

SELECT 'drop' FROM pg_drop_replication_slot('replica_identity');
DROP TABLE ri_default, ri_full, ri_index, ri_nothing, ri_nokey, ri_nokey_full, ri_composite, ri_pk_and_index;
