-- TOASTed values (200 kB): written in full when inserted or changed. An UPDATE that
-- leaves them alone carries no value in the WAL: without REPLICA IDENTITY FULL they are
-- left out of after and named in "unchanged"; with it they are filled from the old row.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

-- Long values are shown as <long>; the records holding them by their length.
CREATE FUNCTION pg_temp.short(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(pg_temp.stable(record), '"(\\\\x)?[0-9a-f]{200,}"', '"<long>"', 'g')
$$;
CREATE FUNCTION pg_temp.big(seed int) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(md5((seed * 100000 + i)::text), '') FROM generate_series(1, 6250) i
$$;

CREATE TABLE big (id int PRIMARY KEY, small int, t text, b bytea, j jsonb);
CREATE TABLE big_full (id int PRIMARY KEY, small int, t text, b bytea, j jsonb);
ALTER TABLE big_full REPLICA IDENTITY FULL;
SELECT 'init' FROM pg_create_logical_replication_slot('toast', 'pgtrail');
-- Images of the rows after each statement, in a temporary table (never decoded).
CREATE TEMP TABLE images (k serial, tab text, image jsonb);
INSERT INTO big VALUES (1, 1, pg_temp.big(1), decode(pg_temp.big(2), 'hex'), jsonb_build_object('k', pg_temp.big(3)));
INSERT INTO images (tab, image) SELECT 'big', to_jsonb(t.*) FROM big t;
INSERT INTO big_full SELECT * FROM big;
INSERT INTO images (tab, image) SELECT 'big_full', to_jsonb(t.*) FROM big_full t;
UPDATE big SET small = 2;                       -- t, b, j unchanged
INSERT INTO images (tab, image) SELECT 'big', to_jsonb(t.*) FROM big t;
UPDATE big_full SET small = 2;                  -- t, b, j unchanged, but the old row has them
INSERT INTO images (tab, image) SELECT 'big_full', to_jsonb(t.*) FROM big_full t;
UPDATE big SET small = 3, t = pg_temp.big(4);   -- t changed: written in full; b, j unchanged
INSERT INTO images (tab, image) SELECT 'big', to_jsonb(t.*) FROM big t;
UPDATE big SET id = 10;                         -- key changed: before has the key only
INSERT INTO images (tab, image) SELECT 'big', to_jsonb(t.*) FROM big t;
DELETE FROM big_full;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('toast', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.short(data) FROM rec ORDER BY n;
SELECT n, length(data) AS record_length FROM rec WHERE length(data) > 100000 ORDER BY n;

-- The contract: each I/U record's after is the row's image at that point minus the
-- columns named unchanged; before is the previous image (REPLICA IDENTITY FULL) or its key.
WITH records AS (
  SELECT n, data::jsonb AS r, row_number() OVER (PARTITION BY data::jsonb->>'table' ORDER BY n) AS k
    FROM rec WHERE data::jsonb->>'op' IN ('I', 'U')),
images_by_table AS (SELECT tab, image, row_number() OVER (PARTITION BY tab ORDER BY k) AS k FROM images)
SELECT n, r->>'op' AS op, r->>'table' AS "table", r->'unchanged' AS unchanged,
    r->'after' = i.image - ARRAY(SELECT jsonb_array_elements_text(r->'unchanged')) AS after_equal,
    (SELECT CASE WHEN r->'before' = p.image THEN 'previous image' WHEN r->'before' <@ p.image THEN 'key of previous image'
      ELSE 'WRONG' END FROM images_by_table p WHERE r ? 'before' AND p.tab = i.tab AND p.k = i.k - 1) AS before
  FROM records JOIN images_by_table i ON i.tab = r->>'table' AND i.k = records.k ORDER BY n;
SELECT data::jsonb->'before' = (SELECT image FROM images WHERE tab = 'big_full' ORDER BY k DESC LIMIT 1) AS delete_before_equal
  FROM rec WHERE data::jsonb->>'op' = 'D';

SELECT 'drop' FROM pg_drop_replication_slot('toast');
DROP TABLE big, big_full;
