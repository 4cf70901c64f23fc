-- skip-empty-xacts (default on): a transaction with nothing to report (DDL only, or only
-- filtered changes) gives no records; off, every transaction gives at least B and C.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE se_kept (id int);
CREATE TABLE se_filtered (id int);
SELECT 'init' FROM pg_create_logical_replication_slot('skip_empty_xacts', 'pgtrail');
INSERT INTO se_filtered VALUES (1);
CREATE TABLE se_new (id int);
INSERT INTO se_kept VALUES (1);

SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('skip_empty_xacts', NULL, NULL, 'exclude-tables', 'se_filtered');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('skip_empty_xacts', NULL, NULL, 'exclude-tables', 'se_filtered',
  'skip-empty-xacts', 'off');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('skip_empty_xacts', NULL, NULL, 'skip-empty-xacts', 'on');

SELECT 'drop' FROM pg_drop_replication_slot('skip_empty_xacts');
DROP TABLE se_kept, se_filtered, se_new;
