-- Ranges and multiranges: their output text in a JSON string.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE ranges (id int PRIMARY KEY, i4 int4range, i8 int8range, nr numrange, d daterange, ts tsrange, tstz tstzrange, mr int4multirange);
SELECT 'init' FROM pg_create_logical_replication_slot('types_range', 'pgtrail');
INSERT INTO ranges VALUES
  (1, '[1,5)', '(1,5]', '[1.5,2.5]', '[2026-01-01,2026-02-01)', '[2026-01-01 00:00,2026-01-02 00:00)', '[2026-01-01 00:00+00,)', '{[1,3),[5,7)}'),
  (2, 'empty', '(,)', '(,0)', '[2026-01-01,infinity)', 'empty', '(,)', '{}'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_range', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM ranges t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_range');
DROP TABLE ranges;
