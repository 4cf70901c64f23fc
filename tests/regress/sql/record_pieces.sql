-- max-message-bytes N: a record longer than N bytes is written in pieces of at most N bytes, each
-- its own write: '+' and data for all but the last, '=' and data for the last; their data in
-- order is the record. A piece never ends inside a UTF-8 character. Shorter records, and every
-- record without the option, are written whole (tests/regress: every other file).
CREATE TABLE pieces_t (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('pieces', 'pgtrail');
INSERT INTO pieces_t VALUES (1, 'short');
-- Seven records one byte apart: with N = 8 (7 data bytes a piece) one of them fills its last piece exactly.
INSERT INTO pieces_t SELECT i, repeat('x', 93 + i) FROM generate_series(7, 13) i;
INSERT INTO pieces_t VALUES (20, repeat('é€😀', 10));
SELECT 'emit' FROM pg_logical_emit_message(true, 'app', repeat('m', 40));

-- Per N: the records (those in pieces, those whose last piece is full), and whether joining the
-- pieces gives each record as written without the option, in order, with no piece over N bytes,
-- markers '+...+=' exactly when the record is over N bytes, and as many pieces as N - 1 data
-- bytes a piece make for records of one-byte characters. A piece that is not valid UTF-8 fails
-- convert_from.
CREATE FUNCTION pg_temp.check_pieces(n int) RETURNS TABLE (records bigint, in_pieces bigint, full_last bigint, ok bool)
LANGUAGE sql AS $$
  WITH whole AS (
    SELECT i, data FROM pg_logical_slot_peek_changes('pieces', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, i)),
  written AS (
    SELECT i, data, left(data, 1) AS mark,
           1 + coalesce(sum(CASE WHEN left(data, 1) = '+' THEN 0 ELSE 1 END)
                          OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS record
    FROM pg_logical_slot_peek_changes('pieces', NULL, NULL, 'max-message-bytes', n::text) WITH ORDINALITY AS c(lsn, xid, data, i)
    WHERE convert_from(convert_to(data, 'UTF8'), 'UTF8') IS NOT NULL),
  joined AS (
    SELECT record, count(*) AS pieces, max(octet_length(data)) AS longest, string_agg(mark, '' ORDER BY i) AS marks,
           string_agg(CASE WHEN mark IN ('+', '=') THEN substr(data, 2) ELSE data END, '' ORDER BY i) AS data
    FROM written GROUP BY record)
  SELECT count(*), count(*) FILTER (WHERE j.pieces > 1),
         count(*) FILTER (WHERE j.pieces > 1 AND octet_length(w.data) % (n - 1) = 0),
         bool_and(coalesce(w.data = j.data AND j.longest <= n
                  AND j.marks = CASE WHEN octet_length(w.data) > n THEN repeat('+', j.pieces::int - 1) || '=' ELSE '{' END
                  AND (octet_length(w.data) <> length(w.data) OR octet_length(w.data) <= n
                       OR j.pieces = ceil(octet_length(w.data) / (n - 1.0))), false))
  FROM joined j FULL JOIN whole w ON w.i = j.record
$$;

SELECT n, c.records, c.in_pieces > 0 AS some_in_pieces, c.ok FROM unnest(ARRAY[8, 9, 64, 100]) n, pg_temp.check_pieces(n) c;
SELECT n, c.full_last > 0 AS some_last_piece_full FROM unnest(ARRAY[8]) n, pg_temp.check_pieces(n) c;
SELECT c.in_pieces AS in_pieces_with_a_huge_limit FROM pg_temp.check_pieces(1073741823) c;
SELECT bool_and(c.ok) AS all_ok, sum(c.full_last) > 0 AS full_last_pieces_seen
  FROM generate_series(8, 400) n, pg_temp.check_pieces(n) c;
SELECT count(*) AS without_option_in_pieces FROM pg_logical_slot_peek_changes('pieces', NULL, NULL, 'max-message-bytes', '0')
  WHERE left(data, 1) <> '{';

-- Bad values name the option and what it accepts.
SELECT data FROM pg_logical_slot_peek_changes('pieces', NULL, NULL, 'max-message-bytes', '7');
SELECT data FROM pg_logical_slot_peek_changes('pieces', NULL, NULL, 'max-message-bytes', '1MB');
SELECT data FROM pg_logical_slot_peek_changes('pieces', NULL, NULL, 'max-message-bytes', '-1');
SELECT data FROM pg_logical_slot_peek_changes('pieces', NULL, NULL, 'max-message-bytes', '1073741824');
SELECT 'stop' FROM pg_drop_replication_slot('pieces');
