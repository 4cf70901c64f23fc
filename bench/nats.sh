#!/usr/bin/env bash
# NATS JetStream (issue 12): the reader's throughput into the stream with one replica (R1) and
# three (R3), end to end through the stream with one and two writers, and a direct `pgtrail run`
# on the same workload. Every mode drains a backlog: the workload is committed while its slot
# exists but nothing reads it, then the clock runs from the reader's (or writer's) start to the
# last change confirmed (reader: the slot's confirmed_flush_lsn at the workload's end) or
# written (writers, direct run: every row in changes).
#
#   PGTRAIL_SINK=build/sink/pgtrail bash bench/nats.sh [--rows N]
#
# The workload: N rows (default 200,000) in 1,000-row transactions, alternating between two
# tables (bench_a, bench_b: the two writers take one each), ~150 bytes of JSON per change.
# A 3-node nats-server cluster on loopback ports, file storage in a temp dir, default max_payload.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

ROWS=200000
while [ $# -gt 0 ]; do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
install_packages libnats-dev nats-server
build_plugin
build_sink
WORK=$(mktemp -d /tmp/pgtrail-bench-nats.XXXXXX)
chmod 755 "$WORK"
fail() { die "$*"; }
source "$ROOT/tests/integration/lib/nats.sh"
NATS_MAX_PAYLOAD=1048576
PIDS=()
finish() {
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    nats_cleanup
    stop_cluster 2>/dev/null || true
    rm -rf "$WORK"
}
trap finish EXIT

start_cluster "$WORK/pg"
trap finish EXIT  # start_cluster set its own
nats_cluster_start 3 >&2
q -c "CREATE TABLE bench_a (id bigint PRIMARY KEY, t text, n numeric, i int, at timestamptz);
      CREATE TABLE bench_b (LIKE bench_a INCLUDING ALL)"
for db in dest1 dest2 dest3; do q -c "CREATE DATABASE $db"; done  # not in one transaction

workload() {  # workload OFFSET: ROWS rows in 1,000-row transactions
    local offset=$1 from
    for ((from = 0; from < ROWS; from += 1000)); do
        local table=bench_a; (( (from / 1000) % 2 == 1 )) && table=bench_b
        echo "INSERT INTO $table SELECT g, md5(g::text) || ' text', g * 1.5, g % 1000, now() FROM generate_series($((offset + from + 1)), $((offset + from + 1000))) g;"
    done | q >/dev/null
}
end_lsn() { q -c "SELECT pg_current_wal_lsn()"; }
slot_at() { q -c "SELECT confirmed_flush_lsn >= '$2' FROM pg_replication_slots WHERE slot_name = '$1'"; }
wait_until() {  # wait_until SQL-DB SQL EXPECTED
    for _ in $(seq 1 6000); do
        [ "$(PGDATABASE=$1 q -c "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    die "timed out waiting for [$2] = [$3] in $1"
}
run_bg() { "$@" >>"$WORK/pgtrail.log" 2>&1 & PIDS+=($!); LAST=$!; }
stop_bg() { kill -TERM "$1"; wait "$1" || true; }
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):,.0f}')" "$1" "$2"; }
SRC="$(source_conn)"
declare -A SECONDS_TAKEN

# Direct run into dest1.
run_bg "$SINK_BIN" run --source "$SRC" --destination "host=$PGHOST port=$PGPORT user=postgres dbname=dest1" --slot direct
wait_until postgres "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'direct' AND active" 1
stop_bg "$LAST"
# Readers' slots and streams (R1, R3) created before the workload, nothing read.
for r in 1 3; do
    run_bg "$SINK_BIN" run --source "$SRC" --slot "reader_r$r" --nats "$NATS_URLS" --nats-stream "bench_r$r" --nats-replicas "$r"
    wait_until postgres "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'reader_r$r' AND active" 1
    stop_bg "$LAST"
done
log "workload: $ROWS rows"
workload 0
END=$(end_lsn)
TOTAL=$ROWS

time_it() {  # time_it NAME DB SQL EXPECTED COMMAND...: runs COMMAND until SQL = EXPECTED
    local name=$1 db=$2 sql=$3 expected=$4; shift 4
    local start; start=$(now_epoch)
    run_bg "$@"
    wait_until "$db" "$sql" "$expected"
    SECONDS_TAKEN[$name]=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(now_epoch)")
    stop_bg "$LAST"
    log "$name: ${SECONDS_TAKEN[$name]} s"
}
time_it direct dest1 "SELECT count(*) FROM changes" "$TOTAL" \
    "$SINK_BIN" run --source "$SRC" --destination "host=$PGHOST port=$PGPORT user=postgres dbname=dest1" --slot direct
for r in 1 3; do
    time_it "reader_r$r" postgres "SELECT confirmed_flush_lsn >= '$END' FROM pg_replication_slots WHERE slot_name = 'reader_r$r'" t \
        "$SINK_BIN" run --source "$SRC" --slot "reader_r$r" --nats "$NATS_URLS" --nats-stream "bench_r$r" --nats-replicas "$r"
done
# Writers from the R3 stream holding the whole workload.
time_it writer_1 dest2 "SELECT count(*) FROM changes" "$TOTAL" \
    "$SINK_BIN" write --nats "$NATS_URLS" --nats-stream bench_r3 --destination "host=$PGHOST port=$PGPORT user=postgres dbname=dest2" --consumer one
start=$(now_epoch)
run_bg "$SINK_BIN" write --nats "$NATS_URLS" --nats-stream bench_r3 --destination "host=$PGHOST port=$PGPORT user=postgres dbname=dest3" \
    --consumer two_a --subject "bench_r3.postgres.public.bench_a"
first=$LAST
run_bg "$SINK_BIN" write --nats "$NATS_URLS" --nats-stream bench_r3 --destination "host=$PGHOST port=$PGPORT user=postgres dbname=dest3" \
    --consumer two_b --subject "bench_r3.postgres.public.bench_b"
wait_until dest3 "SELECT count(*) FROM changes" "$TOTAL"
SECONDS_TAKEN[writers_2]=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(now_epoch)")
stop_bg "$first"; stop_bg "$LAST"

echo
echo "NATS JetStream, $(date -u +%Y-%m-%d), $TOTAL changes ($ROWS rows in 1,000-row transactions), backlog drained; $(machine_summary)"
echo
echo "| mode | seconds | changes/s |"
echo "|---|---:|---:|"
for name in direct reader_r1 reader_r3 writer_1 writers_2; do
    echo "| $name | ${SECONDS_TAKEN[$name]} | $(rate "$TOTAL" "${SECONDS_TAKEN[$name]}") |"
done
