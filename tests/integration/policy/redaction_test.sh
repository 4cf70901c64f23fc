#!/usr/bin/env bash
# --redact and --ignore-columns (issue 14), in the mode PGTRAIL_TEST_PLUGIN names (pgtrail: the
# plugin redacts inside the server; pgoutput: the sink's decoder does). A workload writes known
# secrets (all containing SECRET) into redacted columns: snapshot rows, inserts, updates of the
# secret and of other columns (a TOASTed secret left unchanged), deletes, a redacted key column and
# its key change. Afterwards no trace of a secret is anywhere in changes (the whole table as text)
# nor in the sink's debug log, redacted values are the marker, the other columns are intact. Then
# --ignore-columns drops exactly the UPDATEs that changed only ignored columns (REPLICA IDENTITY
# FULL) and records the others whole. Last, --redact-hash: equal secrets hash equal, in snapshot
# rows and streamed rows alike, to HMAC-SHA256(key, the value's JSON), and the key is stored nowhere.
source "$(dirname "$0")/../sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
use_test_plugin
MARKER='[redacted]'
REDACT='*.*.password_hash,public.users.ssn,public.tokens.token,vault.*.pin'
run "CREATE TABLE users (id int PRIMARY KEY, email text, password_hash text, ssn text, note text, updated_at timestamptz, logins int DEFAULT 0);
     ALTER TABLE users REPLICA IDENTITY FULL;
     CREATE TABLE tokens (token text PRIMARY KEY, owner int, scope text);
     CREATE SCHEMA vault;
     CREATE TABLE vault.safes (id int PRIMARY KEY, pin int, label text);
     CREATE TABLE plain (id int PRIMARY KEY, updated_at timestamptz, v text);
     INSERT INTO users VALUES (1, 'a@x', 'SECRET-pw-1', 'SECRET-ssn-1', 'note 1', now()),
                              (2, 'b@x', 'SECRET-pw-shared', NULL, 'note 2', now());
     INSERT INTO tokens VALUES ('SECRET-tok-1', 1, 'read');
     INSERT INTO vault.safes VALUES (1, 918273, 'first')"
# The pin is a number: its digits are the secret to look for.
SECRETS_RE='SECRET|918273|564738'

run_sink() {  # run_sink EXTRA_OPTS...: run --snapshot, streaming until stop_sink
    start_sink "${PLUGIN_OPTS[@]}" --snapshot --redact "$REDACT" --batch-time-ms 50 "$@"
    wait_for "SELECT count(*) FROM pg_replication_slots WHERE active" 1
}

echo "--- redaction: snapshot rows and the stream"
run_sink --ignore-columns 'public.users.updated_at,public.users.logins,public.plain.updated_at'
BIG=$(printf 'SECRET-big-%.0s0123456789' $(seq 1 800))  # ~17 kB: TOASTed
run "INSERT INTO users VALUES (3, 'c@x', 'SECRET-pw-3', 'SECRET-ssn-3', 'note 3', now());
     INSERT INTO users VALUES (4, 'd@x', '$BIG', NULL, 'note 4', now());
     UPDATE users SET password_hash = 'SECRET-pw-1b' WHERE id = 1;
     UPDATE users SET note = 'note 4b' WHERE id = 4;
     DELETE FROM users WHERE id = 3;
     INSERT INTO tokens VALUES ('SECRET-tok-2', 2, 'write');
     UPDATE tokens SET token = 'SECRET-tok-2b' WHERE token = 'SECRET-tok-2';
     UPDATE tokens SET scope = 'admin' WHERE token = 'SECRET-tok-1';
     DELETE FROM tokens WHERE token = 'SECRET-tok-1';
     INSERT INTO vault.safes VALUES (2, 564738, 'second');
     UPDATE vault.safes SET label = 'second b' WHERE id = 2"
caught_up
expect_eq "snapshot rows" "$(q "SELECT count(*) FROM changes WHERE operation = 'SNAPSHOT'")" 4
expect_eq "streamed rows" "$(q "SELECT count(*) FROM changes WHERE operation <> 'SNAPSHOT'")" 11
expect_eq "no secret anywhere in changes" "$(q "SELECT count(*) FROM changes c WHERE c::text ~ '$SECRETS_RE'")" 0
grep -Eq "$SECRETS_RE" "$WORK/sink.log" && fail "a secret is in the sink's log"
expect_eq "password_hash is the marker in every image that has it" \
    "$(q "SELECT count(*) FILTER (WHERE img->>'password_hash' = '$MARKER'), count(*) FROM changes, LATERAL (VALUES (before), (after)) i(img) WHERE \"table\" = 'users' AND img ? 'password_hash'")" "9|9"
expect_eq "ssn: the marker, null stays null" \
    "$(q "SELECT string_agg(coalesce(after->>'ssn', 'NULL'), ',' ORDER BY commit_lsn, ordinal) FROM changes WHERE \"table\" = 'users' AND after IS NOT NULL")" \
    "$MARKER,NULL,$MARKER,NULL,$MARKER,NULL"
expect_eq "other columns intact" \
    "$(q "SELECT string_agg(after->>'note', ',' ORDER BY commit_lsn, ordinal) FROM changes WHERE \"table\" = 'users' AND after IS NOT NULL")" \
    "note 1,note 2,note 3,note 4,note 1,note 4b"
expect_eq "the unchanged TOASTed secret is redacted too" \
    "$(q "SELECT after->>'password_hash' FROM changes WHERE \"table\" = 'users' AND after->>'note' = 'note 4b'")" "$MARKER"
expect_eq "a redacted key: primary_key is the marker" \
    "$(q "SELECT string_agg(DISTINCT coalesce(primary_key, 'NULL'), ',') FROM changes WHERE \"table\" = 'tokens'")" "$MARKER"
expect_eq "tokens' other columns intact" \
    "$(q "SELECT string_agg(operation || ':' || coalesce(after->>'scope', before->>'scope'), ',' ORDER BY commit_lsn, ordinal) FROM changes WHERE \"table\" = 'tokens'")" \
    "SNAPSHOT:read,CREATE:write,UPDATE:write,UPDATE:admin"
expect_eq "pin (an int) is the marker, label intact" \
    "$(q "SELECT string_agg((after->>'pin') || '/' || (after->>'label'), ',' ORDER BY commit_lsn, ordinal) FROM changes WHERE schema = 'vault'")" \
    "$MARKER/first,$MARKER/second,$MARKER/second b"

echo "--- ignore rules"
before=$(q "SELECT count(*) FROM changes")
run "INSERT INTO plain VALUES (1, now(), 'a');
     UPDATE users SET updated_at = now() + interval '1 day' WHERE id = 2;                 -- only ignored: dropped
     UPDATE users SET logins = logins + 1, updated_at = now() WHERE id = 2;              -- only ignored: dropped
     UPDATE users SET note = 'note 2b', updated_at = now() + interval '2 days' WHERE id = 2;  -- recorded whole
     UPDATE users SET note = note WHERE id = 2;                                           -- nothing changed: recorded
     UPDATE users SET password_hash = 'SECRET-pw-2b', logins = 7 WHERE id = 2;          -- a redacted column changed: recorded
     UPDATE users SET logins = 8 WHERE id IN (1, 2, 4);                                   -- only ignored, 3 rows: dropped
     UPDATE plain SET updated_at = now() + interval '1 day' WHERE id = 1                 -- no old row (REPLICA IDENTITY DEFAULT): recorded"
caught_up
expect_eq "recorded after the ignore rules" "$(q "SELECT count(*) - $before FROM changes")" 5
expect_eq "the recorded users UPDATEs, whole" \
    "$(q "SELECT string_agg((after->>'note') || '/' || (after->>'logins') || '/' || (after ? 'updated_at')::text, ',' ORDER BY commit_lsn, ordinal)
          FROM (SELECT * FROM changes ORDER BY commit_lsn DESC, ordinal DESC LIMIT 5) c WHERE \"table\" = 'users'")" \
    "note 2b/1/true,note 2b/1/true,note 2b/7/true"
expect_eq "plain's UPDATE without the old row is recorded" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'plain' AND operation = 'UPDATE'")" 1
expect_eq "still no secret" "$(q "SELECT count(*) FROM changes c WHERE c::text ~ '$SECRETS_RE'")" 0
stop_sink

echo "--- --redact-hash: equal values hash equal, snapshot and stream alike"
KEY='k3y-for-the-test'
echo "$KEY" >"$WORK/key"
run "UPDATE users SET password_hash = 'SECRET-pw-shared' WHERE id IN (1, 2)"
slot_opts=(--slot hashed --changes-table changes_h --redact-hash --redact-key-file "$WORK/key")
start_sink "${PLUGIN_OPTS[@]}" --snapshot --redact "$REDACT" --batch-time-ms 50 "${slot_opts[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'hashed' AND active" 1
run "INSERT INTO users VALUES (5, 'e@x', 'SECRET-pw-shared', NULL, 'note 5', now()); INSERT INTO users VALUES (6, 'f@x', 'SECRET-pw-6', NULL, 'note 6', now())"
target=$(q "SELECT pg_current_wal_lsn()")
wait_for "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'hashed'" t 90
stop_sink
expected=$(printf '%s' '"SECRET-pw-shared"' | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.*= //')
expect_eq "the shared password's hash: two snapshot rows and one streamed row" \
    "$(q "SELECT string_agg(operation || ':' || (after->>'id'), ',' ORDER BY (after->>'id')::int) FROM changes_h WHERE after->>'password_hash' = '[redacted hmac-sha256:$expected]'")" \
    "SNAPSHOT:1,SNAPSHOT:2,CREATE:5"
expect_eq "another value, another hash" \
    "$(q "SELECT count(DISTINCT after->>'password_hash') FROM changes_h WHERE \"table\" = 'users' AND after->>'password_hash' LIKE '[redacted hmac-sha256:%'")" 3
expect_eq "a hashed value counts as redacted, so revert refuses to write it back" \
    "$(q "SELECT 'password_hash' = ANY (pgtrail.redacted_columns(after)) FROM changes_h WHERE \"table\" = 'users' AND after->>'id' = '5'")" t
expect_eq "no secret in changes_h" "$(q "SELECT count(*) FROM changes_h c WHERE c::text ~ '$SECRETS_RE'")" 0
expect_eq "the key is stored nowhere in the destination" "$(q "SELECT count(*) FROM changes_h c WHERE c::text LIKE '%$KEY%'")" 0
grep -q "$KEY" "$WORK/sink.log" && fail "the key is in the sink's log"

echo "--- bad options are refused before anything starts"
status=0; "$PGTRAIL" run --source "$(SOURCE_CONN)" --redact 'users.password' >"$WORK/bad.log" 2>&1 || status=$?
expect_eq "bad pattern status" "$status" 2
grep -q "^pgtrail run: --redact: a column pattern is schema.table.column" "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "bad pattern message"; }
status=0; env -u PGTRAIL_REDACT_KEY "$PGTRAIL" run --source "$(SOURCE_CONN)" --redact '*.*.x' --redact-hash >"$WORK/bad.log" 2>&1 || status=$?
expect_eq "hash without key status" "$status" 2
grep -q "needs a key" "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "missing key message"; }
echo "PASS"
