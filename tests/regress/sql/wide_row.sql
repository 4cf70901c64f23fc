-- A 1000-column row: every column present, in order, equal to to_jsonb(row).
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

SELECT format('CREATE TABLE wide (id int PRIMARY KEY, %s)', string_agg(format('c%s %s', i,
    CASE i % 4 WHEN 0 THEN 'int' WHEN 1 THEN 'text' WHEN 2 THEN 'numeric' ELSE 'bool' END), ', '))
  FROM generate_series(1, 999) i \gexec
SELECT 'init' FROM pg_create_logical_replication_slot('wide_row', 'pgtrail');
SELECT format('INSERT INTO wide VALUES (1, %s)', string_agg(CASE i % 4 WHEN 0 THEN i::text WHEN 1 THEN quote_literal('v' || i)
    WHEN 2 THEN (i / 10.0)::text ELSE CASE WHEN i % 3 = 0 THEN 'NULL' ELSE 'true' END END, ', '))
  FROM generate_series(1, 999) i \gexec
UPDATE wide SET c500 = -1;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('wide_row', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
-- Shape of each record: its op, the number of columns in after, the first and last keys.
SELECT data::jsonb->>'op' AS op, (SELECT count(*) FROM jsonb_object_keys(data::jsonb->'after')) AS columns,
    substr(pg_temp.stable(data), 1, 100) AS head, right(pg_temp.stable(data), 40) AS tail
  FROM rec ORDER BY n;
SELECT r.data::jsonb->>'op' AS op, r.data::jsonb->'after' = to_jsonb(t.*) AS equal
  FROM rec r, wide t WHERE r.data::jsonb->>'op' = 'U';

SELECT 'drop' FROM pg_drop_replication_slot('wide_row');
DROP TABLE wide;
