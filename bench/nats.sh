#!/usr/bin/env bash
# NATS JetStream (issue 12): the reader's throughput into the stream with one replica (R1) and
# three (R3), end to end through the stream with one and two writers, and a direct `pgtrail run`
# on the same workload; with the CPU seconds of every process taking part. Every mode drains a
# backlog: the workload is committed while its slot exists but nothing reads it, then the clock
# runs from the reader's (or writer's) start to the last change confirmed (reader: the slot's
# confirmed_flush_lsn at the workload's end) or written (writers, direct run: the last row of
# each table in changes, an index probe).
#
#   PGTRAIL_SINK=build/sink/pgtrail bash bench/nats.sh [--rows N] [--tx-rows M]
#
# The workload: N rows (default 200,000) in M-row transactions (default 1,000), alternating
# between two tables (bench_a, bench_b: two writers take one each), ~150 bytes of JSON per
# change. The reader publishes one message per table and transaction (split under max_payload),
# so M sets how many messages, acknowledgements and deliveries carry the changes.
# A 3-node nats-server cluster on loopback ports, file storage in a temp dir, max_payload 1 MiB.
#
# Per mode and process: CPU seconds (utime + stime from /proc/<pid>/stat, read just before the
# process is stopped; nats-server nodes as the difference over the mode) and, for the nats-server
# nodes, bytes written to storage (/proc/<pid>/io write_bytes). Backends are those that started
# during the mode: the source walsender, other pgtrail connections to the source, and the
# destination backends of the writers (application_name "pgtrail writer <consumer or slot>").
# Load averages at each mode's start and end are printed with it: wall-clock rates on a shared
# machine follow the load, CPU seconds per change much less.
# After the last mode every destination must hold every change once. The end also prints how many
# deliveries a writer found missing and fetched again ("never arrived" lines in the pgtrail log);
# a round that fails keeps its pgtrail and nats-server logs in /tmp/pgtrail-bench-nats-failed.*.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

ROWS=200000 TX_ROWS=1000
while [ $# -gt 0 ]; do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        --tx-rows) TX_ROWS=$2; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
(( TX_ROWS > 0 && ROWS % (2 * TX_ROWS) == 0 )) || die "--rows must be a multiple of twice --tx-rows (two tables)"
install_packages libnats-dev nats-server
build_plugin
build_sink
WORK=$(mktemp -d /tmp/pgtrail-bench-nats.XXXXXX)
chmod 755 "$WORK"
fail() { die "$*"; }
source "$ROOT/tests/integration/lib/nats.sh"
NATS_MAX_PAYLOAD=1048576
PIDS=()
never_arrived() {  # deliveries a writer found missing and fetched again (sink/nats/pull_consumer.cpp)
    grep -c 'never arrived' "$WORK/pgtrail.log" 2>/dev/null || true
}
finish() {
    local status=$?
    # A failed round keeps its logs: pgtrail's (every process of every mode) and the nats-server nodes'.
    if [ "$status" != 0 ] && [ -f "$WORK/pgtrail.log" ]; then
        local kept; kept=$(mktemp -d /tmp/pgtrail-bench-nats-failed.XXXXXX)
        cp "$WORK/pgtrail.log" "$kept/"
        cp "$WORK"/nats/n*.log "$kept/" 2>/dev/null || true
        log "failed: logs kept in $kept (\"never arrived\" lines: $(never_arrived))"
    fi
    log "cleaning up"
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
for db in dest1 dest2 dest3 dest4 dest5; do q -c "CREATE DATABASE $db"; done  # not in one transaction
DEST() { echo "host=$PGHOST port=$PGPORT user=postgres dbname=$1"; }

workload() {  # workload: ROWS rows in TX_ROWS-row transactions
    local from
    for ((from = 0; from < ROWS; from += TX_ROWS)); do
        local table=bench_a; (( (from / TX_ROWS) % 2 == 1 )) && table=bench_b
        echo "INSERT INTO $table SELECT g, md5(g::text) || ' text', g * 1.5, g % 1000, now() FROM generate_series($((from + 1)), $((from + TX_ROWS))) g;"
    done | q >/dev/null
}
# The last row of each table: bench_a's last transaction is the one before the last.
LAST_A=$((ROWS - TX_ROWS)) LAST_B=$ROWS
last_rows_sql() {  # last_rows_sql TABLES...: how many of their last rows are in changes
    local table parts=()
    for table in "$@"; do
        local id=$LAST_A; [ "$table" = bench_b ] && id=$LAST_B
        parts+=("(SELECT count(*) FROM changes WHERE schema = 'public' AND \"table\" = '$table' AND primary_key = '$id')")
    done
    local IFS=+; echo "SELECT ${parts[*]}"
}
wait_until() {  # wait_until DB SQL EXPECTED: polls in one server session (lib.sh poll_until), 2 s at a time
    local got=""
    for _ in $(seq 1 300); do
        got=$(PGDATABASE=$1 poll_until "$2" "$3" 2)
        case $got in "seen "*) return 0 ;; "failed "*) sleep 0.2 ;; esac
        for pid in "${MODE_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || die "a pgtrail process exited (log: $WORK/pgtrail.log)"; done
    done
    die "timed out waiting for [$2] = [$3] in $1 (${got:-nothing})"
}
run_bg() { "$@" >>"$WORK/pgtrail.log" 2>&1 & PIDS+=($!); LAST=$!; }
stop_bg() { kill -TERM "$1"; wait "$1" || true; }
write_bytes() { awk '/^write_bytes/ { print $2 }' "/proc/$1/io"; }
load() { cut -d' ' -f1 /proc/loadavg; }
py() { python3 -c "import sys; a = sys.argv[1:]; print($1)" "${@:2}"; }
SRC="$(source_conn)"
RESULTS=$WORK/results.tsv   # mode, part, cpu seconds
: >"$RESULTS"
declare -A SECONDS_TAKEN LOADS NATS_BYTES

# Direct run into dest1: its slot, then the readers' slots and streams (R1, R3), created before
# the workload, nothing read.
MODE_PIDS=()
run_bg "$SINK_BIN" run --source "$SRC" --destination "$(DEST dest1)" --slot direct
wait_until postgres "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'direct' AND active" 1
stop_bg "$LAST"
for r in 1 3; do
    run_bg "$SINK_BIN" run --source "$SRC" --slot "reader_r$r" --nats "$NATS_URLS" --nats-stream "bench_r$r" --nats-replicas "$r"
    wait_until postgres "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'reader_r$r' AND active" 1
    stop_bg "$LAST"
done
log "workload: $ROWS rows in $TX_ROWS-row transactions"
workload
END=$(q -c "SELECT pg_current_wal_lsn()")
TOTAL=$ROWS

# mode_start NAME: the clock, the load, the nats-server nodes' counters.
mode_start() {
    MODE=$1 MODE_PIDS=() MODE_LABELS=()
    MODE_LOAD0=$(load)
    MODE_DB_START=$(q -c "SELECT now()")
    local i
    for i in 1 2 3; do
        NATS_CPU0[$i]=$(cpu_seconds "${NATS_PIDS[$i]}") NATS_IO0[$i]=$(write_bytes "${NATS_PIDS[$i]}")
    done
    MODE_START=$(now_epoch)
}
# mode_process LABEL COMMAND...: a pgtrail process of this mode.
mode_process() {
    local label=$1; shift
    run_bg "$@"
    MODE_PIDS+=("$LAST") MODE_LABELS+=("$label")
}
# mode_end: the clock stops; every process's CPU is read before any is stopped.
mode_end() {
    SECONDS_TAKEN[$MODE]=$(py 'f"{float(a[1]) - float(a[0]):.2f}"' "$MODE_START" "$(now_epoch)")
    local i pid backend_type datname app part bytes=0
    for i in "${!MODE_PIDS[@]}"; do
        printf '%s\t%s\t%s\n' "$MODE" "${MODE_LABELS[$i]}" "$(cpu_seconds "${MODE_PIDS[$i]}")" >>"$RESULTS"
    done
    for i in 1 2 3; do
        printf '%s\tnats-server n%s\t%s\n' "$MODE" "$i" \
            "$(py 'f"{float(a[1]) - float(a[0]):.2f}"' "${NATS_CPU0[$i]}" "$(cpu_seconds "${NATS_PIDS[$i]}")")" >>"$RESULTS"
        bytes=$((bytes + $(write_bytes "${NATS_PIDS[$i]}") - NATS_IO0[$i]))
    done
    NATS_BYTES[$MODE]=$bytes
    while IFS='|' read -r pid backend_type datname app; do
        case $backend_type in
            walsender) part="source walsender" ;;
            *) [ "$datname" = postgres ] && part="source backend ($app)" || part="destination backend $datname ($app)" ;;
        esac
        printf '%s\t%s\t%s\n' "$MODE" "$part" "$(cpu_seconds "$pid" 2>/dev/null || echo 0)" >>"$RESULTS"
    done < <(q -F'|' -c "SELECT pid, backend_type, datname, application_name FROM pg_stat_activity
                         WHERE backend_start >= '$MODE_DB_START' AND pid <> pg_backend_pid()
                           AND (backend_type = 'walsender' OR application_name LIKE 'pgtrail%')")
    LOADS[$MODE]="$MODE_LOAD0-$(load)"
    for pid in "${MODE_PIDS[@]}"; do stop_bg "$pid"; done
    log "$MODE: ${SECONDS_TAKEN[$MODE]} s, load ${LOADS[$MODE]}"
}

mode_start direct
mode_process "sink (pgtrail run)" "$SINK_BIN" run --source "$SRC" --destination "$(DEST dest1)" --slot direct
wait_until dest1 "$(last_rows_sql bench_a bench_b)" 2
mode_end
for r in 1 3; do
    mode_start "reader_r$r"
    mode_process "reader (pgtrail run --nats)" "$SINK_BIN" run --source "$SRC" --slot "reader_r$r" \
        --nats "$NATS_URLS" --nats-stream "bench_r$r" --nats-replicas "$r"
    # (a count: poll_until reads the value into a text variable, where a boolean becomes "true", not "t")
    wait_until postgres "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'reader_r$r' AND confirmed_flush_lsn >= '$END'" 1
    mode_end
done
# Writers from the R3 stream holding the whole workload.
WRITE=("$SINK_BIN" write --nats "$NATS_URLS" --nats-stream bench_r3)
SUBJECT=bench_r3.postgres.public
mode_start writer_1
mode_process "writer (pgtrail write)" "${WRITE[@]}" --destination "$(DEST dest2)" --consumer one
wait_until dest2 "$(last_rows_sql bench_a bench_b)" 2
mode_end
mode_start writers_2
mode_process "writer a (pgtrail write)" "${WRITE[@]}" --destination "$(DEST dest3)" --consumer two_a --subject "$SUBJECT.bench_a"
mode_process "writer b (pgtrail write)" "${WRITE[@]}" --destination "$(DEST dest3)" --consumer two_b --subject "$SUBJECT.bench_b"
wait_until dest3 "$(last_rows_sql bench_a bench_b)" 2
mode_end
mode_start writers_2_dests
mode_process "writer a (pgtrail write)" "${WRITE[@]}" --destination "$(DEST dest4)" --consumer sep_a --subject "$SUBJECT.bench_a"
mode_process "writer b (pgtrail write)" "${WRITE[@]}" --destination "$(DEST dest5)" --consumer sep_b --subject "$SUBJECT.bench_b"
wait_until dest4 "$(last_rows_sql bench_a)" 1
wait_until dest5 "$(last_rows_sql bench_b)" 1
mode_end
# Every destination holds the workload once: a shortfall is shown (missing keys, the streams' counts).
keys() {  # keys DB...: "table primary_key" of every change, sorted
    local db; for db in "$@"; do PGDATABASE=$db q -F' ' -c "SELECT \"table\", primary_key FROM changes"; done | sort
}
check_holds() {  # check_holds LABEL DB...
    local label=$1; shift
    keys "$@" >"$WORK/got.txt"
    [ "$(wc -l <"$WORK/got.txt")" = "$TOTAL" ] && [ "$(uniq "$WORK/got.txt" | wc -l)" = "$TOTAL" ] && return 0
    keys dest1 >"$WORK/want.txt"
    echo "$label holds $(wc -l <"$WORK/got.txt") changes ($(uniq -d "$WORK/got.txt" | wc -l) keys twice), not $TOTAL; missing:" >&2
    comm -23 "$WORK/want.txt" "$WORK/got.txt" | head -20 >&2
    local stream; for stream in bench_r1 bench_r3; do
        echo "stream $stream: $(nats_jsz_leader_view stream "$stream" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("state"))')" >&2
    done
    tail -40 "$WORK/pgtrail.log" >&2
    grep -ih 'slow consumer' "$WORK"/nats/n*.log | head -10 >&2 || true
    die "$label does not hold the workload once"
}
[ "$(PGDATABASE=dest1 q -c "SELECT count(*) FROM changes")" = "$TOTAL" ] || die "the direct run's dest1 does not hold $TOTAL changes"
check_holds "dest2 (1 writer)" dest2
check_holds "dest3 (2 writers)" dest3
check_holds "dest4 + dest5 (2 writers, 2 destinations)" dest4 dest5

# The tables: wall clock, then CPU seconds per 100,000 changes by part.
for m in direct reader_r1 reader_r3 writer_1 writers_2 writers_2_dests; do
    printf '%s\t%s\t%s\t%s\n' "$m" "${SECONDS_TAKEN[$m]}" "${LOADS[$m]}" "${NATS_BYTES[$m]}"
done >"$WORK/modes.tsv"
echo
echo "NATS JetStream, $(date -u '+%Y-%m-%d %H:%M UTC'), $TOTAL changes ($ROWS rows in $TX_ROWS-row transactions), backlog drained;"
echo "sink $SINK_COMMIT; $(machine_summary)"
# A slow consumer is a client the server (or nats.c) could not deliver to fast enough.
echo "nats-server log lines naming a slow consumer: $(cat "$WORK"/nats/n*.log | grep -ci 'slow consumer' || true)"
echo "writer deliveries that never arrived and were fetched again (\"never arrived\" lines in the pgtrail log): $(never_arrived)"
python3 - "$WORK/modes.tsv" "$RESULTS" "$TOTAL" <<'PY'
import csv, re, sys
modes = [row for row in csv.reader(open(sys.argv[1]), delimiter="\t")]
parts = [row for row in csv.reader(open(sys.argv[2]), delimiter="\t")]
total = int(sys.argv[3])
print("\n| mode | seconds | changes/s | load (start-end) | NATS MB written |\n|---|---:|---:|---|---:|")
for name, seconds, load, nats_bytes in modes:
    print(f"| {name} | {seconds} | {total / float(seconds):,.0f} | {load} | {int(nats_bytes) / 1e6:.0f} |")
print("\nCPU seconds per 100,000 changes (busy share of the wall clock in parentheses):\n")
columns = [("source walsender", "^source walsender"), ("other source backends", "^source backend"),
           ("pgtrail process(es)", "^(sink|reader|writer)"), ("nats-server n1+n2+n3", "^nats-server"),
           ("destination backend(s)", "^destination backend"), ("total", ".")]
print("| mode | " + " | ".join(c for c, _ in columns) + " |\n|---|" + "---:|" * len(columns))
for name, seconds, _, _ in modes:
    cells = []
    for _, regex in columns:
        cpu = sum(float(p[2]) for p in parts if p[0] == name and re.search(regex, p[1]))
        cells.append(f"{cpu * 100000 / total:.2f} ({cpu / float(seconds):.0%})")
    print(f"| {name} | " + " | ".join(cells) + " |")
print("\nEvery process (CPU seconds over the mode):\n\n| mode | process | CPU s |\n|---|---|---:|")
for mode, part, cpu in parts:
    print(f"| {mode} | {part} | {cpu} |")
PY
log "done"
