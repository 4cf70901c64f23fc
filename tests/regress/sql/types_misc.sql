-- Other built-in scalar types: bool as true/false, bytea as "\\x..", the rest as their
-- output text in a JSON string.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE misc (id int PRIMARY KEY, b bool, by bytea, u uuid, i inet, c cidr, m macaddr, m8 macaddr8,
  money money, bt bit(4), vb varbit, tv tsvector, tq tsquery, x xml, o oid, l pg_lsn);
SELECT 'init' FROM pg_create_logical_replication_slot('types_misc', 'pgtrail');
INSERT INTO misc VALUES
  (1, true, '\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
   '08:00:2b:01:02:03:04:05', 1234.56, B'1010', B'101', 'a fat cat sat on a mat', 'fat & (rat | cat)',
   '<a b="c">x &amp; y</a>', 4294967295, '16/B374D848'),
  (2, false, '', '00000000-0000-0000-0000-000000000000', '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff',
   'ff:ff:ff:ff:ff:ff:ff:ff', -0.01, B'0000', B'', E'it''s "quoted":1A', '!x', '<?xml version="1.0"?><r/>', 0, '0/0'),
  (3, NULL, E'\\x5c22', NULL, '0.0.0.0', '0.0.0.0/0', NULL, NULL, 0, NULL, NULL, '', NULL, 'text <b>with</b> "quotes"', NULL, NULL),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_misc', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: every I/U record's after is to_jsonb(row).
SELECT count(*) AS rows, count(r.n) AS records, count(*) FILTER (WHERE r.data::jsonb->'after' = to_jsonb(t.*)) AS equal
  FROM misc t LEFT JOIN rec r ON r.data::jsonb->>'op' IN ('I', 'U') AND (r.data::jsonb->'after'->>'id')::int = t.id;

SELECT 'drop' FROM pg_drop_replication_slot('types_misc');
DROP TABLE misc;
