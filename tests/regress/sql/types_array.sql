-- Arrays: JSON arrays of their elements rendered as to_jsonb renders them; several
-- dimensions nest, lower bounds are dropped, NULL elements are null.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TYPE arr_pair AS (a int, b text);
CREATE TABLE arrs (id int PRIMARY KEY, ia int[], ta text[], na numeric[], fa float8[], ba bool[], ja jsonb[],
  da date[], tsa timestamptz[], bya bytea[], ua uuid[], ca arr_pair[], i2a int2[], i8a int8[]);
SELECT 'init' FROM pg_create_logical_replication_slot('types_array', 'pgtrail');
INSERT INTO arrs VALUES
  (1, '{1,2,3}', '{a,"b c","d,e","f\"g","h\\i",NULL,"NULL"}', '{1.5,NaN,Infinity,-Infinity}', '{-0,Infinity,1e300,NaN}',
   '{t,f,NULL}', ARRAY['{"a": 1}', '[1, 2]', 'null']::jsonb[], '{2026-11-21,infinity}', ARRAY['2026-11-21 09:26:00+00']::timestamptz[],
   '{"\\x00ff",""}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', ARRAY[(1,'x'),(2,NULL),NULL]::arr_pair[], '{-32768,32767}', '{-9223372036854775808}'),
  (2, '{{1,2},{3,4}}', '{{a,b},{NULL,"}"}}', '{{{1}},{{2}}}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
  (3, '[0:2]={5,6,7}', '[-1:-1]={x}', '{NULL}', '{NULL,NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, '{{{1,2},{3,4}},{{5,6},{7,NULL}}}', '{"😀","\t"}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_array', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM arrs t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_array');
DROP TABLE arrs;
DROP TYPE arr_pair;
