-- The messages option: a comma list of prefix globs (default: every message); an empty
-- string means none. Filtering a transaction's only message leaves it empty (skipped).
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

SELECT 'init' FROM pg_create_logical_replication_slot('messages_filter', 'pgtrail');
SELECT 'emit' FROM pg_logical_emit_message(true, '_bemi', 'context');
SELECT 'emit' FROM pg_logical_emit_message(true, '_bemi_heartbeat', 'beat');
SELECT 'emit' FROM pg_logical_emit_message(false, 'app.audit', 'audit');
SELECT 'emit' FROM pg_logical_emit_message(false, 'App*', 'literal star');
-- Non-transactional messages are not flushed by themselves: a commit that writes WAL
-- flushes them (a transaction with nothing to report: no records).
CREATE TABLE mf_flush ();

SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('messages_filter', NULL, NULL);
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('messages_filter', NULL, NULL, 'messages', '_bemi');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('messages_filter', NULL, NULL, 'messages', '_bemi*');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('messages_filter', NULL, NULL, 'messages', 'app.*, "App*"');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('messages_filter', NULL, NULL, 'messages', '');

SELECT 'drop' FROM pg_drop_replication_slot('messages_filter');
DROP TABLE mf_flush;
