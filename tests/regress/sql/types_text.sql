-- Text types: the stored characters as a JSON string; quotes, backslashes and control
-- characters escaped, everything else (emoji, accents, DEL) passed through as UTF-8.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE texts (id int PRIMARY KEY, t text, vc varchar(20), c char(5), ch "char", nm name);
SELECT 'init' FROM pg_create_logical_replication_slot('types_text', 'pgtrail');
INSERT INTO texts VALUES
  (1, 'plain', 'plain', 'ab', 'x', 'plain'),
  (2, 'say "hi"', 'back\slash', '"', '"', 'q"uote'),
  (3, E'tab\tnl\ncr\rbs\bff\f', E'\x01\x02\x1f', E'\x7f', E'\\', E'a\\b'),
  (4, '😀 é 日本 ü', '€', 'ÿ', 'é', 'naïve'),
  (5, '\u0041 is not A', '\n is not newline', '\"', '\', '\u0000'),
  (6, 'ends with \', '"\"', '', ' ', ''),
  (7, 'null', 'true', '{}', '0', '[1]'),
  (8, '', NULL, NULL, NULL, NULL),
  (9, E'\u2028\u2029 line separators', E'\u00a0nbsp', NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_text', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM texts t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_text');
DROP TABLE texts;
