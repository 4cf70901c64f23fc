#!/usr/bin/env bash
# pgtrail ui with a large changes table (issue 13): fills `changes` with N synthetic rows (default
# 10 million: 20 tables, 50000 keys a table (10 changes a row), 10000 users in the context, 2 requests a transaction), then
# times through the API (curl, median of --rounds after one warm-up): the first feed page, a page
# filtered by context user id + table, and one row's timeline. Target: each under 100 ms.
#
#   bash bench/ui.sh [--rows 10000000] [--rounds 7] [--keep]
#
# PGTRAIL_SINK names a prebuilt pgtrail (else the committed HEAD is built, Release, as the other
# benchmarks do). Exits non-zero only on a broken run, never for a missed target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

ROWS=10000000
ROUNDS=7
while [ $# -gt 0 ]; do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

WORK=$BUILD_DIR/ui
mkdir -p "$WORK"
build_plugin
build_sink
start_cluster "$WORK/cluster" --set "shared_buffers = '512MB'" --set "maintenance_work_mem = '512MB'" --set "max_wal_size = '8GB'"
UI_PID=""
trap '[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null; stop_cluster' EXIT

# The changes table, its indexes and the functions, as pgtrail setup creates them.
q -c "SELECT 'CREATE TABLE t' || g || ' (id int PRIMARY KEY, v int);' FROM generate_series(0, 19) g" | q >/dev/null
"$SINK_BIN" setup --source "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" >"$WORK/setup.log" 2>&1 \
    || { cat "$WORK/setup.log" >&2; die "pgtrail setup failed"; }
log "filling changes with $ROWS rows"
start=$(date +%s)
q -c "INSERT INTO changes (primary_key, before, after, context, database, schema, \"table\", operation, committed_at, queued_at,
                           transaction_id, position, commit_lsn, ordinal)
      SELECT k::text, CASE WHEN op = 'CREATE' THEN NULL ELSE jsonb_build_object('id', k, 'v', g - 1) END,
             CASE WHEN op = 'DELETE' THEN NULL ELSE jsonb_build_object('id', k, 'v', g) END,
             jsonb_build_object('user_id', (g / 2) % 10000, 'request_id', md5((g / 2)::text), 'endpoint', '/api/t' || (g % 20)),
             'postgres', 'public', 't' || (g % 20), op, ts, ts, g / 2, g, 100000000 + (g / 2) * 1000, (g % 2)::int
      FROM (SELECT g, (g / 20) % 50000 AS k,
                   CASE WHEN g % 10 = 0 THEN 'CREATE' WHEN g % 10 = 9 THEN 'DELETE' ELSE 'UPDATE' END AS op,
                   timestamptz '2026-01-01' + g * interval '100 ms' AS ts
            FROM generate_series(1::bigint, $ROWS) g) s"
q -c "VACUUM ANALYZE changes"
log "filled in $(( $(date +%s) - start )) s; $(q -c "SELECT pg_size_pretty(pg_total_relation_size('changes'))")"

"$SINK_BIN" ui --source "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" --listen 127.0.0.1:0 >"$WORK/ui.log" 2>&1 &
UI_PID=$!
for _ in $(seq 1 100); do
    URL=$(sed -n 's|.*pgtrail ui on \(http://[^/ ]*\)/.*|\1|p' "$WORK/ui.log" | head -1)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/ui.log" >&2; die "pgtrail ui did not start"; }

# median_ms PATH: one warm-up, then ROUNDS timed requests; checks the answer is a 200.
median_ms() {
    local times=() code
    for i in $(seq 0 "$ROUNDS"); do
        read -r code t < <(curl -sS -o "$WORK/answer" -w '%{http_code} %{time_total}\n' "$URL$1")
        [ "$code" = 200 ] || die "$1: HTTP $code $(head -c 200 "$WORK/answer")"
        [ "$i" = 0 ] || times+=("$t")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] * 1000}'
}
KEY=$(q -c "SELECT primary_key FROM changes WHERE \"table\" = 't7' ORDER BY commit_lsn DESC LIMIT 1")
feed=$(median_ms "/api/feed")
filtered=$(median_ms "/api/feed?ctx.user_id=4242&table=public.t4")
filtered_rows=$(jq '.changes | length' "$WORK/answer")
timeline=$(median_ms "/api/timeline?table=public.t7&key=$KEY")
timeline_rows=$(jq '.changes | length' "$WORK/answer")
echo
echo "pgtrail ui, $ROWS rows in changes, $(machine_summary), median of $ROUNDS (ms, through the API with curl)"
echo "| request | ms | target |"
echo "|---|---|---|"
echo "| first feed page (50 rows) | $feed | < 100 |"
echo "| ctx.user_id + table ($filtered_rows rows) | $filtered | < 100 |"
echo "| row timeline ($timeline_rows changes) | $timeline | < 100 |"
