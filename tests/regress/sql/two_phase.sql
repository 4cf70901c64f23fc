-- Prepared transactions are decoded when COMMIT PREPARED runs, as one ordinary B..C
-- transaction; ROLLBACK PREPARED gives nothing.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE tp (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('two_phase', 'pgtrail');
BEGIN;
INSERT INTO tp VALUES (1, 'prepared');
SELECT 'emit' FROM pg_logical_emit_message(true, 'app', 'inside the prepared transaction');
PREPARE TRANSACTION 'tp_commit';
BEGIN;
INSERT INTO tp VALUES (2, 'rolled back');
PREPARE TRANSACTION 'tp_rollback';
SELECT pg_temp.stable(data) FROM pg_logical_slot_get_changes('two_phase', NULL, NULL);
COMMIT PREPARED 'tp_commit';
ROLLBACK PREPARED 'tp_rollback';
SELECT pg_temp.stable(data) FROM pg_logical_slot_get_changes('two_phase', NULL, NULL);

SELECT 'drop' FROM pg_drop_replication_slot('two_phase');
DROP TABLE tp;
