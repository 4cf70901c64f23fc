-- PostgreSQL 18's virtual generated columns are not in the WAL: pgtrail leaves them out of
-- before and after (docs/FORMAT.md), so after = to_jsonb(row) minus those columns. Before 18
-- the test only says so (columns_virtual_1.out).
SELECT current_setting('server_version_num')::int >= 180000 AS has_virtual \gset
\if :has_virtual
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;
CREATE TABLE virt (id int PRIMARY KEY, price numeric, qty int, total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL,
  stored text GENERATED ALWAYS AS ('item ' || id) STORED, note text);
ALTER TABLE virt REPLICA IDENTITY FULL;
SELECT 'init' FROM pg_create_logical_replication_slot('columns_virtual', 'pgtrail');
INSERT INTO virt (id, price, qty, note) VALUES (1, 2.50, 4, 'a'), (2, NULL, 1, 'b');
UPDATE virt SET qty = 10 WHERE id = 1;
DELETE FROM virt WHERE id = 2;
CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('columns_virtual', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;
-- The contract on 18: the last I/U record of each row equals to_jsonb(row) without the virtual column.
SELECT count(*) AS rows, count(*) FILTER (WHERE r.after = to_jsonb(t.*) - 'total') AS equal
  FROM virt t JOIN (SELECT DISTINCT ON (data::jsonb->'after'->>'id') n, data::jsonb->'after' AS after FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U') ORDER BY data::jsonb->'after'->>'id', n DESC) r ON (r.after->>'id')::int = t.id;
SELECT 'drop' FROM pg_drop_replication_slot('columns_virtual');
DROP TABLE virt;
\else
\echo 'virtual generated columns exist from PostgreSQL 18 on'
\endif
