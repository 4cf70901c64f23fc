-- Logical messages (pg_logical_emit_message): transactional ones inside their transaction's
-- B/C and only if it commits; non-transactional ones at once, even if their transaction
-- aborts. Content is a JSON string; bytes that are not valid UTF-8, and NUL, become U+FFFD.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE msg_t (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('messages', 'pgtrail');
SELECT 'emit' FROM pg_logical_emit_message(true, 'app', 'transactional alone');
SELECT 'emit' FROM pg_logical_emit_message(false, 'app', 'non-transactional alone');
BEGIN;
INSERT INTO msg_t VALUES (1);
SELECT 'emit' FROM pg_logical_emit_message(true, '_bemi', '{"user": "ann", "quote": "\"", "nl": "a\nb"}');
SELECT 'emit' FROM pg_logical_emit_message(false, 'app', 'non-transactional, emitted before the commit');
INSERT INTO msg_t VALUES (2);
COMMIT;
BEGIN;
SELECT 'emit' FROM pg_logical_emit_message(true, 'app', 'rolled back: never seen');
SELECT 'emit' FROM pg_logical_emit_message(false, 'app', 'non-transactional in a rolled back transaction');
ROLLBACK;
SELECT 'emit' FROM pg_logical_emit_message(false, 'bin', '\xff41c328e282e282ac00f09f9880fe'::bytea);
SELECT 'emit' FROM pg_logical_emit_message(false, E'prefix "quoted" \\ \t', E'tab\there, emoji 😀, control \x01');
SELECT 'emit' FROM pg_logical_emit_message(true, '', '');

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('messages', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;
-- Every record is valid JSON (and jsonb), and the contents read back as sent (U+FFFD for bad bytes).
SELECT n, data::jsonb->>'prefix' AS prefix, data::jsonb->>'content' AS content FROM rec WHERE data LIKE '{"op":"M"%' ORDER BY n;

SELECT 'drop' FROM pg_drop_replication_slot('messages');
DROP TABLE msg_t;
