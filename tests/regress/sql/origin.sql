-- Origin filtering: transactions replayed under a replication origin whose name matches
-- exclude-origins (default: pgtrail*, the sink's own writes) are skipped, changes and
-- messages alike; other origins and no origin are tracked. exclude-origins '' tracks all.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE orig_t (id int PRIMARY KEY, src text);
SELECT 'origin' FROM pg_replication_origin_create('pgtrail_sink');
SELECT 'origin' FROM pg_replication_origin_create('subscription_x');
SELECT 'init' FROM pg_create_logical_replication_slot('origin', 'pgtrail');
SELECT 'setup' FROM pg_replication_origin_session_setup('pgtrail_sink');
INSERT INTO orig_t VALUES (1, 'pgtrail_sink');
SELECT 'emit' FROM pg_logical_emit_message(false, 'app', 'from pgtrail_sink');
SELECT 'emit' FROM pg_logical_emit_message(true, 'app', 'transactional from pgtrail_sink');
SELECT 'reset' FROM pg_replication_origin_session_reset();
SELECT 'setup' FROM pg_replication_origin_session_setup('subscription_x');
INSERT INTO orig_t VALUES (2, 'subscription_x');
SELECT 'reset' FROM pg_replication_origin_session_reset();
INSERT INTO orig_t VALUES (3, 'no origin');

SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('origin', NULL, NULL);
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('origin', NULL, NULL, 'exclude-origins', '');
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('origin', NULL, NULL, 'exclude-origins', 'subscription_*,other')
  WHERE data NOT LIKE '{"op":"_","xid"%';
SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('origin', NULL, NULL, 'exclude-origins', 'PGTRAIL_SINK')
  WHERE data NOT LIKE '{"op":"_","xid"%';

-- Advancing the slot (fast-forward decoding, no plugin callbacks) over the same WAL works.
SELECT 'advanced' FROM pg_replication_slot_advance('origin', pg_current_wal_lsn());
SELECT count(*) FROM pg_logical_slot_peek_changes('origin', NULL, NULL);
SELECT 'drop' FROM pg_drop_replication_slot('origin');
SELECT pg_replication_origin_drop('pgtrail_sink'), pg_replication_origin_drop('subscription_x');
DROP TABLE orig_t;
