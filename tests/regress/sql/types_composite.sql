-- Composites as JSON objects (nested, with arrays inside), enums as strings, domains
-- as their base type.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy "quoted"');
CREATE TYPE inner_t AS (x int, y text, m mood);
CREATE TYPE outer_t AS (i inner_t, tags text[], j jsonb, ts timestamptz, n numeric);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN doc AS jsonb;
CREATE DOMAIN ints AS int[];
CREATE DOMAIN point_d AS inner_t;
CREATE DOMAIN stamp AS timestamptz;
CREATE DOMAIN money_d AS numeric(10,2);
CREATE TABLE comps (id int PRIMARY KEY, i inner_t, o outer_t, m mood, ma mood[], p posint, e email, d doc,
  ia ints, pd point_d, da posint[], st stamp, md money_d);
SELECT 'init' FROM pg_create_logical_replication_slot('types_composite', 'pgtrail');
INSERT INTO comps VALUES
  (1, (1, 'one', 'ok'), ((2, 'two "q"', 'sad'), '{a,b}', '{"k": [1]}', '2026-11-21 09:26:00+00', 'NaN'), 'happy "quoted"',
   '{sad,ok}', 7, 'a@b.c', '{"x": null}', '{1,2}', (3, NULL, NULL), '{1,NULL}', 'infinity', 12.5),
  (2, (NULL, NULL, NULL), (NULL, NULL, NULL, NULL, NULL), 'sad', '{}', NULL, NULL, '[]', '{}', NULL, NULL, NULL, NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_composite', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM comps t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_composite');
DROP TABLE comps;
DROP DOMAIN posint, email, doc, ints, point_d, stamp, money_d;
DROP TYPE outer_t, inner_t, mood;
