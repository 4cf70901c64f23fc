#!/usr/bin/env bash
# Streams the plugin through pg_recvlogical (a real walsender) while tables, types and
# publications change between and around the changes; then checks that every row image equals
# the to_jsonb() logged at that moment, that unpublished rows never appear, and that the
# walsender's memory does not grow from round to round.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${PGTRAIL_SOURCE_DIR:-$(cd "$HERE/../../.." && pwd)}
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:?set PGTRAIL_PLUGIN_DIR to the directory holding pgtrail.so}
BIN=$("${PG_CONFIG:-pg_config}" --bindir)
ROUNDS=${CHURN_ROUNDS:-120}

WORK=$(mktemp -d /tmp/pgtrail-churn.XXXXXX)
chmod 755 "$WORK"  # the server runs as postgres and writes the stream file here
RECV_PID=""
cleanup() {
    [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null || true
    "$SRC/scripts/pg-cluster.sh" destroy "$WORK/cluster" || true
    rm -rf "$WORK"
}
trap cleanup EXIT
[ -n "${CHURN_KEEP:-}" ] && trap - EXIT

PORT=$("$SRC/scripts/pg-cluster.sh" start "$WORK/cluster" --plugin-dir "$PLUGIN_DIR" --set "log_min_messages = log")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
psql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -o /dev/null <<'SQL'
CREATE TYPE mood AS ENUM ('ok');
CREATE TYPE pair AS (a int, b text);
CREATE TABLE churn (id int PRIMARY KEY, n int, t text, m mood, p pair);
ALTER TABLE churn REPLICA IDENTITY FULL;
CREATE TABLE churn_side (id int PRIMARY KEY, at timestamptz);
CREATE TABLE churn_log (seq bigserial PRIMARY KEY, rel text, j jsonb);
CREATE PUBLICATION churn_pub FOR TABLE churn;
SELECT pg_create_logical_replication_slot('churn', 'pgtrail');
SQL

"$BIN/pg_recvlogical" -d "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" --slot churn --start \
    -o publications=churn_pub -o exclude-tables=public.churn_log -f "$WORK/stream.jsonl" -s 1 -F 1 &
RECV_PID=$!

# The walsender's private memory: its memory-context grand total, as the server logs it.
walsender_memory() {
    local pid before
    pid=$(psql -At -c "SELECT pid FROM pg_stat_replication WHERE application_name = 'pg_recvlogical'")
    before=$(grep -c "Grand total" "$WORK/cluster/server.log" || true)
    psql -At -c "SELECT pg_log_backend_memory_contexts($pid)" >/dev/null
    for _ in $(seq 1 100); do
        [ "$(grep -c "Grand total" "$WORK/cluster/server.log" || true)" -gt "$before" ] && break
        sleep 0.1
    done
    grep "Grand total" "$WORK/cluster/server.log" | tail -1 | sed -E 's/.*Grand total: ([0-9]+) bytes.*/\1/'
}

wait_caught_up() {
    local target
    target=$(psql -At -c "SELECT pg_current_wal_lsn()")
    for _ in $(seq 1 600); do
        [ "$(psql -At -c "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'churn'")" = t ] && return
        sleep 0.1
    done
    echo "FAIL: the walsender did not catch up" >&2; exit 1
}

memory_at=()
for round in $(seq 1 "$ROUNDS"); do
    psql -v round="$round" -v label="m$round" -f "$HERE/workload.sql" >/dev/null
    if [ "$round" = 20 ] || [ "$round" = "$ROUNDS" ]; then
        wait_caught_up
        memory_at+=("$(walsender_memory)")
    fi
done
wait_caught_up
sleep 1.5  # pg_recvlogical flushes its file every second
kill "$RECV_PID"; wait "$RECV_PID" 2>/dev/null || true; RECV_PID=""

# Load the stream (one JSON object per line) and compare with the log, in order.
psql <<SQL
CREATE TABLE stream (seq bigserial, line text);
\\copy stream (line) FROM '$WORK/stream.jsonl' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')
SQL
result=$(psql -At <<'SQL'
WITH images AS (
    SELECT row_number() OVER (ORDER BY seq) AS k, line::jsonb->>'table' AS rel, line::jsonb->'after' AS j
    FROM stream WHERE line::jsonb->>'op' IN ('I', 'U')
), logged AS (
    SELECT row_number() OVER (ORDER BY seq) AS k, rel, j FROM churn_log
)
SELECT format('%s images, %s logged, %s mismatches, %s unpublished, %s dropped-table rows',
    (SELECT count(*) FROM images), (SELECT count(*) FROM logged),
    (SELECT count(*) FROM images i FULL JOIN logged l USING (k) WHERE i.j IS DISTINCT FROM l.j OR i.rel IS DISTINCT FROM l.rel),
    (SELECT count(*) FROM stream WHERE line::jsonb->>'table' = 'churn_side' AND (line::jsonb->'after'->>'id')::int < 0),
    (SELECT count(*) FROM stream WHERE line::jsonb->>'table' LIKE 'churn_tmp_%'))
SQL
)
echo "$result"
echo "walsender memory: round 20: ${memory_at[0]} bytes, round $ROUNDS: ${memory_at[1]} bytes"

status=0
expected_images=$(( ROUNDS * 5 - 1 ))  # round 1 has no earlier row to update
case $result in
    "$expected_images images, $expected_images logged, 0 mismatches, 0 unpublished, 0 dropped-table rows") ;;
    *) echo "FAIL: expected $expected_images images matching the log, none unpublished or from dropped tables (dropped tables are not in the publication)"; status=1 ;;
esac
growth=$(( memory_at[1] - memory_at[0] ))
if [ "$growth" -gt $(( 1024 * 1024 )) ]; then
    echo "FAIL: walsender memory grew by $growth bytes over $(( ROUNDS - 20 )) rounds"; status=1
fi
[ $status = 0 ] && echo "plugin churn: 1 passed, 0 failed" || echo "plugin churn: 0 passed, 1 failed"
exit $status
