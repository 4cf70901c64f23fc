-- A user-defined type with a cast to json renders through that cast, as to_jsonb does
-- (also inside arrays and composites); temp and unlogged tables are never decoded.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TYPE jc_point AS (x int, y int);
CREATE TYPE jc_color AS ENUM ('red', 'green');
CREATE FUNCTION jc_color_json(jc_color) RETURNS json LANGUAGE sql IMMUTABLE AS
  $$ SELECT json_build_object('color', $1::text, 'rgb', CASE $1 WHEN 'red' THEN '#f00' ELSE '#0f0' END) $$;
CREATE CAST (jc_color AS json) WITH FUNCTION jc_color_json(jc_color);
CREATE TYPE jc_wrap AS (c jc_color, n int);
CREATE TABLE jc (id int PRIMARY KEY, c jc_color, ca jc_color[], w jc_wrap, p jc_point);
CREATE UNLOGGED TABLE jc_unlogged (id int);
SELECT 'init' FROM pg_create_logical_replication_slot('types_json_cast', 'pgtrail');
CREATE TEMP TABLE jc_temp (id int);
INSERT INTO jc_temp VALUES (1);
INSERT INTO jc_unlogged VALUES (1);
INSERT INTO jc VALUES (1, 'red', '{green,NULL,red}', ('green', 2), (1, 2)), (2, NULL, '{}', NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_json_cast', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM jc t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_json_cast');
DROP TABLE jc, jc_unlogged, jc_temp;
DROP TYPE jc_wrap;
DROP CAST (jc_color AS json);
DROP FUNCTION jc_color_json(jc_color);
DROP TYPE jc_color, jc_point;
