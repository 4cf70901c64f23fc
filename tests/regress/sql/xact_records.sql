-- B and C records: B carries the xid, the commit record's LSN and the commit time; C the
-- same xid and time and the commit record's end LSN (the position a consumer confirms),
-- as pg_logical_slot_get_changes reports it. Changes carry their own LSN.
CREATE TABLE xr (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('xact_records', 'pgtrail');
BEGIN;
INSERT INTO xr VALUES (1);
INSERT INTO xr VALUES (2);
SELECT txid_current() % 4294967296 AS xid \gset
COMMIT;
SELECT now() AS committed_around \gset
CREATE TEMP TABLE rec AS
  SELECT n, lsn, xid, data, data::jsonb AS r
    FROM pg_logical_slot_get_changes('xact_records', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
-- The exact shape of each record, variable parts masked.
SELECT regexp_replace(regexp_replace(regexp_replace(data, '"lsn":"[0-9A-F]+/[0-9A-F]+"', '"lsn":"X/X"'),
    '"xid":\d+', '"xid":N'), '"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00"', '"ts":"YYYY-MM-DDTHH:MM:SS.ffffff+00:00"') AS record
  FROM rec ORDER BY n;
SELECT (SELECT r->>'xid' FROM rec WHERE r->>'op' = 'B')::bigint = :xid AS b_xid,
       (SELECT r->>'xid' FROM rec WHERE r->>'op' = 'C')::bigint = :xid AS c_xid,
       (SELECT xid FROM rec WHERE r->>'op' = 'C')::text::bigint = :xid AS xid_column;
-- B's lsn is where the commit record starts, C's where it ends: after every change.
SELECT (SELECT max((r->>'lsn')::pg_lsn) FROM rec WHERE r->>'op' = 'I') < (SELECT (r->>'lsn')::pg_lsn FROM rec WHERE r->>'op' = 'B') AS changes_before_commit,
       (SELECT (r->>'lsn')::pg_lsn FROM rec WHERE r->>'op' = 'B') < (SELECT (r->>'lsn')::pg_lsn FROM rec WHERE r->>'op' = 'C') AS commit_start_before_end,
       (SELECT bool_and((r->>'lsn')::pg_lsn = lsn) FROM rec WHERE r->>'op' IN ('I', 'C')) AS lsn_column,
       (SELECT (r->>'lsn')::pg_lsn FROM rec WHERE r->>'op' = 'C') <= pg_current_wal_insert_lsn() AS c_not_ahead;
-- Both carry the commit time, in UTC, a moment before now().
SELECT (SELECT r->>'ts' FROM rec WHERE r->>'op' = 'B') = (SELECT r->>'ts' FROM rec WHERE r->>'op' = 'C') AS same_ts,
       (SELECT (r->>'ts')::timestamptz FROM rec WHERE r->>'op' = 'C') BETWEEN :'committed_around'::timestamptz - interval '1 minute'
         AND :'committed_around'::timestamptz + interval '1 minute' AS ts_now;
SELECT 'drop' FROM pg_drop_replication_slot('xact_records');
DROP TABLE xr;
