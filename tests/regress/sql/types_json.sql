-- json and jsonb: embedded as JSON, never as an escaped string; JSON null and SQL NULL
-- both render as null. Line breaks between a json value's tokens become spaces, so that
-- a record is always one line.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE docs (id int PRIMARY KEY, j json, jb jsonb);
SELECT 'init' FROM pg_create_logical_replication_slot('types_json', 'pgtrail');
INSERT INTO docs VALUES
  (1, '{"a": 1, "b": [true, null, "x"]}', '{"a": 1, "b": [true, null, "x"]}'),
  (2, '  [1, 2.50, -3e2]  ', '[1, 2.50, -3e2]'),
  (3, '"a string with \"quotes\" and \\ backslash"', '"a string with \"quotes\" and \\ backslash"'),
  (4, '{"dup": 1, "dup": 2}', '{"dup": 1, "dup": 2}'),
  (5, '"\u00e9\ud83d\ude00"', '"\u00e9\ud83d\ude00"'),
  (6, 'null', 'null'),
  (7, NULL, NULL),
  (8, '{"nested": {"deep": {"deeper": [[], {}]}}}', '{"nested": {"deep": {"deeper": [[], {}]}}}'),
  (9, E'{\n  "multi": "line"\n}', '123456789012345678901234567890.5'),
  (10, 'false', '{"emoji": "😀", "ctl": "\t\n"}'),
  (11, E'[1,\r\n 2,\n"a\\nb"]', NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_json', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM docs t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_json');
DROP TABLE docs;
