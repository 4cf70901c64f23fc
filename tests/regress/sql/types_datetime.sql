-- Dates and timestamps in to_jsonb's ISO form (whatever DateStyle says), infinity as
-- "infinity"; time, timetz and interval as their output text.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

SET timezone = 'Europe/Berlin';
SET datestyle = 'SQL, DMY';
CREATE TABLE times (id int PRIMARY KEY, d date, t time, tz timetz, ts timestamp, tstz timestamptz, i interval, t3 timestamp(3));
SELECT 'init' FROM pg_create_logical_replication_slot('types_datetime', 'pgtrail');
INSERT INTO times VALUES
  (1, '2026-11-21', '09:26:00', '09:26:00+02', '2026-11-21 09:26:00', '2026-11-21 09:26:00+00', '1 year 2 mons 3 days 04:05:06.789', '2026-11-21 09:26:00.123456'),
  (2, 'infinity', '24:00:00', '00:00:00.000001-12', 'infinity', 'infinity', '-1 day -00:00:01', 'infinity'),
  (3, '-infinity', '00:00:00', '23:59:59.999999+14', '-infinity', '-infinity', '0', '-infinity'),
  (4, '0044-03-15 BC', '12:34:56.789', NULL, '0001-01-01 00:00:00 BC', '1900-01-01 00:00:00+00', '100 years', NULL),
  (5, '2000-02-29', NULL, NULL, '2026-07-01 12:00:00.5', '2026-07-01 12:00:00.5+05:30', '-3 mons +4 days -00:00:00.5', NULL),
  (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_datetime', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM times t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_datetime');
DROP TABLE times;
