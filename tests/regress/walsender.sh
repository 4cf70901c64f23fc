#!/usr/bin/env bash
# The plugin through a walsender (pg_recvlogical), not the SQL functions: records arrive
# while streaming and equal to_jsonb; origin filtering works there too (the plugin looks
# origin names up in a transaction of its own, since the walsender decodes outside one),
# and the walsender keeps decoding correctly afterwards (DDL, more origins); options given
# with -o are checked, bad ones fail START_REPLICATION with a clear error; the server log
# stays free of warnings (leaked resources, snapshots, ...).
#
# Environment: as run.sh (PG_CONFIG, PGTRAIL_SOURCE_DIR, PGTRAIL_PLUGIN_DIR).
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
SOURCE_DIR=${PGTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:-$SOURCE_DIR/build/plugin-build}
BIN=$("$PG_CONFIG" --bindir)

# The plugin installed in the server's own $libdir (a package) is loaded from there.
plugin_args=(--plugin-dir "$PLUGIN_DIR")
if [ "$PLUGIN_DIR" = "$("$PG_CONFIG" --pkglibdir)" ]; then plugin_args=(); fi

CLUSTER_DIR=$(mktemp -d /tmp/pgtrail-walsender.XXXXXX)
receivers=()
cleanup() {
    for pid in "${receivers[@]+"${receivers[@]}"}"; do kill "$pid" 2>/dev/null || true; done
    bash "$SOURCE_DIR/scripts/pg-cluster.sh" destroy "$CLUSTER_DIR"
}
trap cleanup EXIT
PORT=$(PG_CONFIG=$PG_CONFIG bash "$SOURCE_DIR/scripts/pg-cluster.sh" start "$CLUSTER_DIR" "${plugin_args[@]+"${plugin_args[@]}"}")
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
failures=0

sql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -A -t -d "$CONN" "$@"; }
fail() { echo "walsender: FAIL: $*" >&2; failures=$((failures + 1)); }
check() {  # check NAME SQL: the query must return 't'
    local got
    got=$(sql -c "$2" 2>&1) || true
    if [ "$got" = t ]; then echo "ok: $1"; else fail "$1 (got: $got)"; fi
}

# Streams slot $1 into file $2 in the background, with pg_recvlogical options $3...
start_receiver() {
    local slot=$1 out=$2; shift 2
    "$BIN/pg_recvlogical" -d "$CONN" --slot "$slot" --start -f "$out" -s 1 "$@" 2>"$out.err" &
    receivers+=($!)
}

# Waits until file $1 holds a message with prefix $2 (the end marker of a phase).
wait_for_marker() {
    for _ in $(seq 1 300); do
        if grep -q "\"prefix\":\"$2\"" "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    fail "no \"$2\" marker in $1 after 30s: $(cat "$1.err" 2>/dev/null)"
    return 1
}

# The records streamed into file $1, as a table the checks can query.
load_records() {
    chmod 644 "$1"
    sql -c "CREATE TABLE $2 AS
        SELECT n, line::jsonb AS r FROM regexp_split_to_table(rtrim(pg_read_file('$1'), E'\n'), E'\n')
          WITH ORDINALITY AS l(line, n)"
}

sql >/dev/null <<'SQL'
CREATE TABLE ws (id int PRIMARY KEY, v text, j jsonb, ts timestamptz);
CREATE TABLE ws_skip (id int);
SELECT pg_replication_origin_create('pgtrail_sink');
SELECT pg_replication_origin_create('subscription_x');
SQL
"$BIN/pg_recvlogical" -d "$CONN" --slot ws --create-slot --plugin pgtrail
"$BIN/pg_recvlogical" -d "$CONN" --slot ws_all --create-slot --plugin pgtrail
chmod 755 "$CLUSTER_DIR"  # the server reads the streamed files back with pg_read_file
OUT=$CLUSTER_DIR/ws.jsonl
OUT_ALL=$CLUSTER_DIR/ws_all.jsonl
start_receiver ws "$OUT" -o exclude-tables=ws_skip -o skip-empty-xacts
start_receiver ws_all "$OUT_ALL" -o exclude-origins= -o exclude-tables=ws_skip

# Phase 1: the first origin the walsender meets is excluded, then others follow, with DDL
# and a non-transactional message under an origin in between.
sql >/dev/null <<'SQL'
INSERT INTO ws VALUES (1, 'plain', '{"a": [1, "x"]}', '2026-11-21 09:26:00+00');
SELECT pg_replication_origin_session_setup('pgtrail_sink');
INSERT INTO ws VALUES (2, 'from the sink', NULL, NULL);
SELECT pg_logical_emit_message(false, 'app', 'non-transactional from the sink');
UPDATE ws SET v = 'sink update' WHERE id = 1;
SELECT pg_replication_origin_session_reset();
INSERT INTO ws_skip VALUES (1);
ALTER TABLE ws ADD COLUMN extra numeric DEFAULT 1.5;
SELECT pg_replication_origin_session_setup('subscription_x');
INSERT INTO ws VALUES (3, 'from a subscription', '[]', 'infinity', 'NaN');
SELECT pg_replication_origin_session_reset();
BEGIN;
UPDATE ws SET v = E'quote " backslash \\ tab \t', id = 4 WHERE id = 3;
DELETE FROM ws WHERE id = 1;
SELECT pg_logical_emit_message(true, 'done', 'phase 1');
COMMIT;
SQL
wait_for_marker "$OUT" done || true
wait_for_marker "$OUT_ALL" done || true

# Phase 2: the same walsenders keep decoding after their origin lookups.
sql >/dev/null <<'SQL'
SELECT pg_replication_origin_session_setup('pgtrail_sink');
INSERT INTO ws VALUES (5, 'sink again', NULL, NULL);
SELECT pg_replication_origin_session_reset();
ALTER TABLE ws DROP COLUMN j;
INSERT INTO ws VALUES (6, 'after a drop column', now(), 2);
CREATE TABLE ws_json (id int PRIMARY KEY, js json);
INSERT INTO ws_json VALUES (1, E'{\n  "multi": "line"\r\n}');
SELECT pg_logical_emit_message(true, 'done2', 'phase 2');
SQL
wait_for_marker "$OUT" done2 || true
wait_for_marker "$OUT_ALL" done2 || true
for pid in "${receivers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
receivers=()

load_records "$OUT" rec
load_records "$OUT_ALL" rec_all
echo "--- records streamed with the default exclude-origins (pgtrail*):"
sql -c "SELECT r - 'lsn' - 'xid' - 'ts' FROM rec ORDER BY n"

check "every line is one JSON record with an op (a multi-line json value included)" \
    "SELECT bool_and(r ? 'op') AND count(*) FILTER (WHERE r->'after'->'js' = '{\"multi\": \"line\"}') = 1 FROM rec"
check "the sink's changes and message are skipped by default" \
    "SELECT NOT EXISTS (SELECT FROM rec WHERE r->'after'->>'v' LIKE 'sink%' OR r->'after'->>'v' = 'from the sink' OR r->>'content' LIKE '%from the sink')"
check "changes of another origin and of none are tracked" \
    "SELECT array_agg((r->'after'->>'id')::int ORDER BY n) = '{1,3,4,6}' FROM rec WHERE r->>'op' IN ('I', 'U') AND r->>'table' = 'ws'"
check "exclude-origins= (empty) tracks the sink's changes too" \
    "SELECT array_agg((r->'after'->>'id')::int ORDER BY n) = '{1,2,1,3,4,5,6}' FROM rec_all WHERE r->>'op' IN ('I', 'U') AND r->>'table' = 'ws'"
check "the non-transactional message under the sink's origin arrives only without filtering" \
    "SELECT (SELECT count(*) FROM rec_all WHERE r->>'content' = 'non-transactional from the sink') = 1"
check "exclude-tables given with -o works" "SELECT NOT EXISTS (SELECT FROM rec_all WHERE r->>'table' = 'ws_skip')"
check "B and C pair up, with the same xid" \
    "SELECT bool_and(b.r->'xid' = c.r->'xid') AND count(*) = 6 FROM rec b
       CROSS JOIN LATERAL (SELECT r FROM rec c WHERE c.n > b.n AND c.r->>'op' IN ('B', 'C') ORDER BY n LIMIT 1) c WHERE b.r->>'op' = 'B'"
check "row 6, written after the DDL, has after = to_jsonb(row)" \
    "SELECT bool_and(r->'after' = (SELECT to_jsonb(t.*) FROM ws t WHERE id = 6)) AND count(*) = 2
       FROM (SELECT r FROM rec UNION ALL SELECT r FROM rec_all) x WHERE r->>'op' = 'I' AND r->'after'->>'id' = '6'"
check "record 1's after equals its to_jsonb at insert time" \
    "SELECT r->'after' = '{\"id\": 1, \"v\": \"plain\", \"j\": {\"a\": [1, \"x\"]}, \"ts\": \"2026-11-21T09:26:00+00:00\"}' FROM rec WHERE r->>'op' = 'I' AND r->>'table' = 'ws' AND r->'after'->>'id' = '1'"
check "the key change carries the old key, the escapes survive" \
    "SELECT r->'before' = '{\"id\": 3}' AND r->'after'->>'v' = E'quote \" backslash \\\\ tab \\t' FROM rec WHERE r->>'op' = 'U'"
check "columns added and dropped mid-stream are honoured" \
    "SELECT (SELECT r->'after' FROM rec WHERE r->'after'->>'id' = '3') ? 'extra' AND NOT (SELECT r->'after' FROM rec WHERE r->'after'->>'id' = '6') ? 'j'"

# Options through START_REPLICATION: bad ones fail with a clear error.
bad_option() {  # bad_option EXPECTED_MESSAGE -o ...
    local expected=$1 out; shift
    out=$(timeout 30 "$BIN/pg_recvlogical" -d "$CONN" --slot ws --start -f /dev/null --no-loop "$@" 2>&1) || true
    if grep -qF -- "$expected" <<<"$out"; then echo "ok: $* fails: $expected"; else fail "$* should fail with: $expected (got: $out)"; fi
}
bad_option 'pgtrail: unknown option "no-such-option"; pgtrail accepts: publications,' -o no-such-option=1
bad_option 'pgtrail: could not parse value "maybe" for option "skip-empty-xacts"' -o skip-empty-xacts=maybe
bad_option 'pgtrail: option "publications" needs a value' -o publications
bad_option 'pgtrail: option "include-tables" needs a value' -o include-tables
bad_option 'pgtrail: could not parse value "a.b.c" for option "exclude-tables"' -o exclude-tables=a.b.c

# The slots were made by CREATE_REPLICATION_SLOT ... LOGICAL pgtrail (pg_recvlogical --create-slot).
check "the walsender-created slots use pgtrail and confirmed their progress" \
    "SELECT count(*) = 2 AND bool_and(plugin = 'pgtrail' AND confirmed_flush_lsn > '0/0') FROM pg_replication_slots"
"$BIN/pg_recvlogical" -d "$CONN" --slot ws --drop-slot
"$BIN/pg_recvlogical" -d "$CONN" --slot ws_all --drop-slot

# The server log: no warnings (resource/snapshot/cache leaks), errors only from the bad options.
log_problems=$(grep -E 'WARNING|PANIC|FATAL|TRAP|leak|ERROR' "$CLUSTER_DIR/server.log" | grep -vE 'pgtrail: (unknown option|could not parse value|option "[a-z-]+" needs a value)' \
    | grep -vE 'STATEMENT|CONTEXT|unexpected EOF on client connection|terminating walsender|could not send data to client|connection to client lost' || true)
if [ -n "$log_problems" ]; then fail "server log: $log_problems"; else echo "ok: server log clean"; fi

if [ "$failures" -gt 0 ]; then
    echo "--- server log:"; tail -50 "$CLUSTER_DIR/server.log"
    echo "walsender: $failures check(s) FAILED" >&2
    exit 1
fi
echo "walsender: all checks passed"
