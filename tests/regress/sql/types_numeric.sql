-- Integers, numeric and floats: JSON numbers, except NaN and +/-Infinity, which are strings.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE nums (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, n numeric, n52 numeric(5,2), f4 float4, f8 float8);
SELECT 'init' FROM pg_create_logical_replication_slot('types_numeric', 'pgtrail');
INSERT INTO nums VALUES
  (1, 0, 0, 0, 0, 0, 0, 0),
  (2, -32768, -2147483648, -9223372036854775808, -123456789012345678901234567890.123456789, -999.99, -3.4e38, -1.7976931348623157e308),
  (3, 32767, 2147483647, 9223372036854775807, 0.000000000000000000001, 1.5, 1e-45, 5e-324),
  (4, 1, 1, 1, 'NaN', 1, 'NaN', 'NaN'),
  (5, 2, 2, 2, 'Infinity', 2, 'Infinity', 'Infinity'),
  (6, 3, 3, 3, '-Infinity', 3, '-Infinity', '-Infinity'),
  (7, 4, 4, 4, 1.500, 0.1, '-0', '-0'),
  (8, 5, 5, 5, 1e20, 3.14159, 0.1, 0.1),
  (9, 6, 6, 6, -0.0, -0.001, 1.5e20, 1e100),
  (10, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_numeric', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM nums t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_numeric');
DROP TABLE nums;
