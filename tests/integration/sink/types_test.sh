#!/usr/bin/env bash
# Inserts, updates, deletes and truncates over many types arrive with the right images,
# keys, context and timestamps; the sink's own table is never tracked.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"

run "CREATE TYPE mood AS ENUM ('sad', 'happy');
     CREATE TYPE pair AS (a int, b text);
     CREATE DOMAIN posint AS int CHECK (VALUE > 0);
     CREATE TABLE kinds (
        id bigint PRIMARY KEY, i2 smallint, i4 int, n numeric, f4 real, f8 double precision,
        t text, vc varchar(10), ch char(3), b bool, by bytea, j json, jb jsonb, arr int[], arr2 text[][],
        ts timestamp, tstz timestamptz, d date, tm time, iv interval, u uuid, ip inet, cidr_ cidr, mac macaddr,
        m money, bits bit(4), tsv tsvector, r int4range, x xml, e mood, p pair, dom posint,
        g int GENERATED ALWAYS AS (i4 * 2) STORED);
     ALTER TABLE kinds REPLICA IDENTITY FULL;
     CREATE TABLE composite (a int, b text, v text, PRIMARY KEY (a, b));
     CREATE TABLE nokey (v text);
     ALTER TABLE nokey REPLICA IDENTITY FULL;
     CREATE TABLE \"Weird \"\"Name\"\"\" (\"key col\" text PRIMARY KEY, big text);
     CREATE TABLE jsons (id int PRIMARY KEY, v json);"

# A second slot sees the same B records as the sink, to compare commit_lsn with.
run "SELECT pg_create_logical_replication_slot('peek', 'pgtrail')"
start_sink --max-context-bytes 100
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

run "BEGIN;
     SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": 1, \"endpoint\": \"/orders\"}');
     INSERT INTO kinds (id, i2, i4, n, f4, f8, t, vc, ch, b, by, j, jb, arr, arr2, ts, tstz, d, tm, iv, u, ip, cidr_, mac, m, bits, tsv, r, x, e, p, dom)
     VALUES (1, -32768, 1000, 'NaN', '-0', 'Infinity', E'quote\" back\\\\ tab\t nl\n emoji 😀', 'short', 'ab', true, '\\xdeadbeef',
             '{\"a\": [1, 2.50]}', '{\"b\": {\"c\": null}}', '{1,NULL,3}', '{{a,b},{c,d}}', '2026-01-02 03:04:05.678',
             'infinity', '-infinity', '23:59:59', '1 year 2 mons 3 days 04:05:06', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
             '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', 12.34, B'1010', 'a fat cat', '[1,5)', '<x>1</x>', 'happy', ROW(1, 'one'), 7);
     SELECT pg_logical_emit_message(true, '_bemi_heartbeat', '{\"ignored\": true}');
     SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": 2}');
     INSERT INTO kinds (id, n, t) VALUES (2, 123456789012345678901234567890.123, NULL);
     COMMIT;"
run "INSERT INTO composite VALUES (1, 'x\"y', 'v1'), (2, 'z', 'v2')"
run "INSERT INTO nokey VALUES ('only')"
run "INSERT INTO \"Weird \"\"Name\"\"\" VALUES ('k1', repeat('toast', 40000))"
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '[1, 2]'); UPDATE kinds SET t = 'changed', i4 = 5 WHERE id = 1; COMMIT"
run "UPDATE composite SET b = 'new' WHERE a = 2"
run "UPDATE \"Weird \"\"Name\"\"\" SET \"key col\" = \"key col\" WHERE \"key col\" = 'k1'"
run "DELETE FROM kinds WHERE id = 2"
run "DELETE FROM nokey"
run "TRUNCATE composite"
run "INSERT INTO jsons VALUES (1, '{\"a\": \"x\\u0000y\", \"b\": \"\\\\u0000\"}')"
caught_up

C="SELECT count(*) FROM changes"
expect_eq "all changes" "$(q "$C")" 13
expect_eq "no change of the changes table itself" "$(q "$C WHERE \"table\" = 'changes'")" 0

# Images equal to_jsonb() of the rows as they are now (id 1 was updated after its insert).
expect_eq "update image = to_jsonb(row)" \
    "$(q "SELECT c.after = to_jsonb(k) FROM changes c, kinds k WHERE c.\"table\" = 'kinds' AND c.operation = 'UPDATE' AND k.id = 1")" t
expect_eq "insert image equals the before image of the update" \
    "$(q "SELECT i.after = u.before FROM changes i, changes u WHERE i.\"table\" = 'kinds' AND i.operation = 'CREATE' AND i.primary_key = '1' AND u.operation = 'UPDATE' AND u.\"table\" = 'kinds'")" t
expect_eq "generated column" "$(q "SELECT after->>'g' FROM changes WHERE \"table\" = 'kinds' AND operation = 'UPDATE'")" 10
expect_eq "numeric NaN / -0 / Infinity" \
    "$(q "SELECT after->'n', after->'f4', after->'f8', after->'tstz' FROM changes WHERE \"table\" = 'kinds' AND operation = 'CREATE' AND primary_key = '1'")" \
    '"NaN"|0|"Infinity"|"infinity"'
expect_eq "big numeric kept exactly" \
    "$(q "SELECT after->'n' FROM changes WHERE \"table\" = 'kinds' AND primary_key = '2' AND operation = 'CREATE'")" \
    "123456789012345678901234567890.123"
expect_eq "text with escapes" \
    "$(q "SELECT after->>'t' = E'quote\" back\\\\ tab\t nl\n emoji 😀' FROM changes WHERE \"table\" = 'kinds' AND operation = 'CREATE' AND primary_key = '1'")" t

# Keys: single (unquoted text), composite (JSON array), none (NULL), quoted identifiers.
expect_eq "composite keys" "$(q "SELECT string_agg(primary_key, ' ' ORDER BY commit_lsn, ordinal) FROM changes WHERE \"table\" = 'composite' AND operation <> 'TRUNCATE'")" \
    '[1,"x\"y"] [2,"z"] [2,"new"]'
expect_eq "composite key text" "$(q "SELECT primary_key FROM changes WHERE \"table\" = 'composite' AND ordinal = 0 AND operation = 'CREATE'")" '[1,"x\"y"]'
expect_eq "no key" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'nokey' AND primary_key IS NULL")" 2
expect_eq "delete image without key" "$(q "SELECT before->>'v' FROM changes WHERE \"table\" = 'nokey' AND operation = 'DELETE'")" only
expect_eq "weird table name and key" "$(q "SELECT primary_key FROM changes WHERE \"table\" = 'Weird \"Name\"' AND operation = 'CREATE'")" k1
expect_eq "delete key from the old row" "$(q "SELECT primary_key, after IS NULL FROM changes WHERE \"table\" = 'kinds' AND operation = 'DELETE'")" "2|t"
expect_eq "truncate" "$(q "SELECT primary_key IS NULL, before IS NULL, after IS NULL FROM changes WHERE operation = 'TRUNCATE'")" "t|t|t"

# Unchanged TOAST: left out of after and named in unchanged (no REPLICA IDENTITY FULL).
expect_eq "unchanged toast" "$(q "SELECT unchanged, after ? 'big' FROM changes WHERE \"table\" = 'Weird \"Name\"' AND operation = 'UPDATE'")" "{big}|f"
expect_eq "toast value on insert" "$(q "SELECT length(after->>'big') FROM changes WHERE \"table\" = 'Weird \"Name\"' AND operation = 'CREATE'")" 200000

# Context: the latest _bemi message before each change in its transaction; heartbeats ignored.
expect_eq "context of the first insert" "$(q "SELECT context FROM changes WHERE \"table\" = 'kinds' AND operation = 'CREATE' AND primary_key = '1'")" \
    '{"user_id": 1, "endpoint": "/orders"}'
expect_eq "context of the second insert" "$(q "SELECT context FROM changes WHERE \"table\" = 'kinds' AND operation = 'CREATE' AND primary_key = '2'")" '{"user_id": 2}'
expect_eq "no context" "$(q "SELECT context FROM changes WHERE \"table\" = 'nokey' AND operation = 'CREATE'")" '{}'
expect_eq "non-object context" "$(q "SELECT context FROM changes WHERE \"table\" = 'kinds' AND operation = 'UPDATE'")" '{"_raw": "[1, 2]"}'
grep -q "not a JSON object" "$WORK/sink.log" || fail "no warning for the non-object context"

# A json value with \u0000 (jsonb refuses it) never blocks the sink: it becomes U+FFFD.
expect_eq "json with \\u0000" "$(q "SELECT after->'v'->>'a' = E'x\\uFFFDy', after->'v'->>'b' FROM changes WHERE \"table\" = 'jsons'")" 't|\u0000'
grep -q "written as" "$WORK/sink.log" || fail "no warning for \\u0000"

# Positions, transactions, timestamps.
expect_eq "one transaction, two ordinals" \
    "$(q "SELECT count(DISTINCT transaction_id), count(DISTINCT commit_lsn), string_agg(ordinal::text, ',' ORDER BY ordinal) FROM changes WHERE \"table\" = 'kinds' AND operation = 'CREATE'")" "1|1|0,1"
expect_eq "positions before commit_lsn" "$(q "SELECT bool_and(position < commit_lsn) FROM changes")" t
expect_eq "commit_lsn is the commit's start (the B record's lsn), before its end (what the origin recorded last)" \
    "$(q "WITH b AS (SELECT (data::jsonb->>'lsn')::pg_lsn - '0/0'::pg_lsn AS lsn FROM pg_logical_slot_peek_changes('peek', NULL, NULL)
                  WHERE data LIKE '{\"op\":\"B\",%')
          SELECT count(DISTINCT commit_lsn) > 3, count(*) FILTER (WHERE commit_lsn NOT IN (SELECT lsn FROM b)),
                 max(commit_lsn) < (SELECT pg_replication_origin_progress('pgtrail_pgtrail', true) - '0/0'::pg_lsn) FROM changes")" "t|0|t"
expect_eq "timestamps ordered" \
    "$(q "SELECT bool_and(committed_at <= queued_at AND queued_at <= created_at AND created_at - committed_at < interval '1 minute') FROM changes")" t
expect_eq "database, schema" "$(q "SELECT DISTINCT database || '.' || schema FROM changes")" "postgres.public"
expect_eq "xid" "$(q "SELECT bool_and(transaction_id > 0) FROM changes")" t

# A context over --max-context-bytes (100 here) is stored truncated to that size.
run "CREATE TABLE big_context (v text PRIMARY KEY)"
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"pad\": \"' || repeat('x', 200) || '\"}'); INSERT INTO big_context VALUES ('a'); COMMIT"
caught_up
expect_eq "context over --max-context-bytes" \
    "$(q "SELECT context->>'_raw' = '{\"pad\": \"' || repeat('x', 91) FROM changes WHERE \"table\" = 'big_context'")" t
grep -q "context message larger than 100 bytes" "$WORK/sink.log" || fail "no warning for the oversized context"

stop_sink
grep -q "created replication slot pgtrail" "$WORK/sink.log" || fail "slot creation not logged"
grep -q "create the changes table and its indexes (schema version 1)" "$WORK/sink.log" || fail "table creation not logged"
echo "ok"
