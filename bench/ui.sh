#!/usr/bin/env bash
# pgtrail ui with a large changes table (issue 13): fills `changes` with N synthetic rows (default
# 10 million: 20 tables, 50000 keys a table (10 changes a row), 10000 users in the context, 2 requests a transaction), then
# times through the API (curl, median of --rounds after one warm-up): the first feed page, a page
# filtered by context user id + table, and one row's timeline. Target: each under 100 ms.
# Then the ingest cost of the indexes of row histories (version 8's on the TRUNCATEs, and version 9's
# on moved_from, which replaced version 8's GIN index on UPDATEs' old images):
# the same raw COPY of --cost-rows changes like the fill's (80% UPDATEs with a full old image, as
# REPLICA IDENTITY FULL sends) into an empty changes table with all of setup's indexes, and into one
# without those two, alternating, --cost-rounds times each (medians of wall time, the backend's CPU
# time and the WAL written; --cost-rounds 0 skips it).
#
#   bash bench/ui.sh [--rows 10000000] [--rounds 7] [--cost-rows 500000] [--cost-rounds 3] [--keep] [--reuse]
#
# --keep leaves the filled cluster running; --reuse measures on it again instead of filling a new one
# (pgtrail setup, timed, first brings it to this pgtrail's schema: an upgrade of a filled table).
#
# PGTRAIL_SINK names a prebuilt pgtrail (else the committed HEAD is built, Release, as the other
# benchmarks do). Exits non-zero only on a broken run, never for a missed target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

ROWS=10000000
ROUNDS=7
COST_ROWS=500000
COST_ROUNDS=3
REUSE=0
while [ $# -gt 0 ]; do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --cost-rows) COST_ROWS=$2; shift 2 ;;
        --cost-rounds) COST_ROUNDS=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        --reuse) REUSE=1; export BENCH_KEEP=1; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

WORK=$BUILD_DIR/ui
mkdir -p "$WORK"
build_plugin
build_sink
# changes_rows FIRST LAST: the SELECT of synthetic changes number FIRST to LAST, in the columns of COLUMNS.
COLUMNS='primary_key, before, after, context, database, schema, "table", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal'
changes_rows() {
    echo "SELECT k::text, CASE WHEN op = 'CREATE' THEN NULL ELSE jsonb_build_object('id', k, 'v', g - 1) END,
             CASE WHEN op = 'DELETE' THEN NULL ELSE jsonb_build_object('id', k, 'v', g) END,
             jsonb_build_object('user_id', (g / 2) % 10000, 'request_id', md5((g / 2)::text), 'endpoint', '/api/t' || (g % 20)),
             'postgres', 'public', 't' || (g % 20), op, ts, ts, g / 2, g, 100000000 + (g / 2) * 1000, (g % 2)::int
      FROM (SELECT g, (g / 20) % 50000 AS k,
                   CASE WHEN g % 10 = 0 THEN 'CREATE' WHEN g % 10 = 9 THEN 'DELETE' ELSE 'UPDATE' END AS op,
                   timestamptz '2026-01-01' + g * interval '100 ms' AS ts
            FROM generate_series($1::bigint, $2) g) s"
}

if [ "$REUSE" = 1 ]; then
    CLUSTER_DIR=$WORK/cluster
    port=$(sed -n 4p "$CLUSTER_DIR/data/postmaster.pid" 2>/dev/null) || die "no cluster running in $CLUSTER_DIR: run with --keep first"
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres PGOPTIONS="-c client_min_messages=warning"
    ROWS=$(q -c "SELECT count(*) FROM changes")
    log "reusing the cluster on port $port with $ROWS rows"
else
    start_cluster "$WORK/cluster" --set "shared_buffers = '512MB'" --set "maintenance_work_mem = '512MB'" --set "max_wal_size = '8GB'"
    q -c "SELECT 'CREATE TABLE t' || g || ' (id int PRIMARY KEY, v int);' FROM generate_series(0, 19) g" | q >/dev/null
fi
UI_PID=""
trap '[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null; stop_cluster' EXIT

# The changes table, its indexes and the functions, as pgtrail setup creates them (or migrates them).
start=$(date +%s)
"$SINK_BIN" setup --source "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" >"$WORK/setup.log" 2>&1 \
    || { cat "$WORK/setup.log" >&2; die "pgtrail setup failed"; }
log "setup in $(( $(date +%s) - start )) s: $(grep -c '^done:' "$WORK/setup.log") steps, $(grep -o 'schema version [0-9]*' "$WORK/setup.log" | tail -1)"
if [ "$REUSE" = 1 ]; then
    q -c "ANALYZE changes"
else
    log "filling changes with $ROWS rows"
    start=$(date +%s)
    q -c "INSERT INTO changes ($COLUMNS) $(changes_rows 1 "$ROWS")"
    q -c "VACUUM ANALYZE changes"
    log "filled in $(( $(date +%s) - start )) s; $(q -c "SELECT pg_size_pretty(pg_total_relation_size('changes'))")"
fi

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
kill "$UI_PID"
UI_PID=""

[ "$COST_ROUNDS" -gt 0 ] || exit 0
log "ingest cost of the indexes of row histories: $COST_ROWS rows, $COST_ROUNDS rounds"
q -c "COPY ($(changes_rows 1 "$COST_ROWS")) TO STDOUT" >"$WORK/cost.copy"
q -c "DROP TABLE IF EXISTS cost_with, cost_without; CREATE TABLE cost_with (LIKE changes INCLUDING ALL); CREATE TABLE cost_without (LIKE changes INCLUDING ALL)" >/dev/null
# A migrated table's GIN index for the changes before migration 9 (commit_lsn up to its cut) gets
# no new change (theirs come later), but would get these synthetic ones: not what ingest pays.
for index in $(q -c "SELECT indexname FROM pg_indexes WHERE tablename IN ('cost_with', 'cost_without') AND indexdef LIKE '%gin (before%' AND indexdef LIKE '%commit_lsn <=%'"); do
    q -c "DROP INDEX $index" >/dev/null
done
for index in $(q -c "SELECT indexname FROM pg_indexes WHERE tablename = 'cost_without' AND (indexdef LIKE '%WHERE (operation = ''TRUNCATE''%' OR indexdef LIKE '%gin (before%' OR indexdef LIKE '%WHERE (moved_from IS NOT NULL)%')"); do
    q -c "DROP INDEX $index" >/dev/null
done
[ "$(q -c "SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = 'cost_with') - (SELECT count(*) FROM pg_indexes WHERE tablename = 'cost_without')")" = 2 ] \
    || die "the changes table lacks the two indexes of row histories"
# copy_cost TABLE: "wall_s cpu_s wal_mb" of the raw COPY into the emptied table: wall time, the
# backend's CPU (user + system, log_statement_stats: less sensitive to a loaded machine than wall
# time) and the WAL it wrote.
copy_cost() {
    q -c "TRUNCATE $1; CHECKPOINT" >/dev/null
    local start end wal_start stats
    wal_start=$(q -c "SELECT pg_current_wal_lsn()")
    start=$(date +%s%N)
    stats=$(PGOPTIONS="-c log_statement_stats=on -c client_min_messages=log" q -c "COPY $1 ($COLUMNS) FROM STDIN" <"$WORK/cost.copy" 2>&1 >/dev/null)
    end=$(date +%s%N)
    local cpu wal
    cpu=$(awk '/ s user, .* s system, / {gsub(/!/, ""); print $1 + $4; exit}' <<<"$stats")
    wal=$(q -c "SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal_start') / 1048576.0, 1)")
    awk -v ns=$((end - start)) -v cpu="$cpu" -v wal="$wal" 'BEGIN {printf "%.2f %.2f %s", ns / 1e9, cpu, wal}'
}
with=() without=()
for _ in $(seq 1 "$COST_ROUNDS"); do
    without+=("$(copy_cost cost_without)")
    with+=("$(copy_cost cost_with)")
done
# median FIELD ROUNDS...: the median of one field (1 wall, 2 cpu, 3 wal) over the rounds.
median() { local field=$1; shift; printf '%s\n' "$@" | awk -v f="$field" '{print $f}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
row() { local name=$1; shift; echo "| $name | $(median 1 "$@") | $(median 2 "$@") | $(median 3 "$@") | $(printf '%s; ' "$@") |"; }
echo
echo "raw COPY of $COST_ROWS changes (80% UPDATEs with a full old image) into an empty changes table, $(machine_summary), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| indexes | wall s | backend CPU s | WAL MB | rounds (wall cpu wal) |"
echo "|---|---|---|---|---|"
row "setup's without the two of row histories" "${without[@]}"
row "setup's (with the two of row histories)" "${with[@]}"
