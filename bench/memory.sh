#!/usr/bin/env bash
# Sink memory (issue 4, section 5): peak RSS (VmHWM) of `pgtrail run` while it ingests
# the standard decode workload, then one 200,000-row and one 2,000,000-row transaction,
# each with a fresh sink process (so each peak is that workload's own).
#
#   bash bench/memory.sh [--big-rows 2000000] [--keep]
#
# Exits non-zero only on a broken run, never for a missed target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

BIG=2000000
while [ $# -gt 0 ]; do
    case $1 in
        --big-rows) BIG=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

WORK=$BUILD_DIR/memory
ROWS=()  # "label|changes|peak kB|seconds"

count_sql() { echo "SELECT count(*) FROM changes WHERE \"table\" = '$1'"; }

# measure LABEL TABLE EXPECTED_CHANGES SQL_FILE_OR_STATEMENT: a fresh sink, the load, its peak RSS.
measure() {
    local label=$1 table=$2 before expected t0 t1
    before=$(q -c "$(count_sql "$table")" 2>/dev/null || echo 0)
    expected=$((before + $3))
    start_sink "$WORK/sink.log"
    wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1 60
    wait_for "SELECT count(*) FROM pg_tables WHERE tablename = 'changes'" 1 60
    log "$label"
    t0=$(now_epoch)
    shift 3
    q "$@" >/dev/null
    wait_for "$(count_sql "$table")" "$expected" 3600
    t1=$WAIT_SEEN
    ROWS+=("$label|$((expected - before))|$(sink_peak_rss_kb)|$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')")
    stop_sink
}

main() {
    install_packages
    build_plugin
    build_sink
    rm -rf "$WORK"; mkdir -p "$WORK"
    start_cluster "$BUILD_DIR/cluster-memory" --set "max_wal_size = 8GB" --set "shared_buffers = 512MB"
    trap 'stop_sink; stop_cluster' EXIT
    q -f "$BENCH_DIR/sql/decode_setup.sql"
    q -f "$BENCH_DIR/sql/standard_schema.sql"
    q -c "CREATE TABLE bench_big (id bigint PRIMARY KEY, n int, note text)"
    local inserts updates deletes
    read -r inserts updates deletes <<<"$(workload_counts standard 1)"
    measure "standard workload (1,000-row transactions)" bench_standard $((inserts + updates + deletes)) \
        -v inserts="$inserts" -v updates="$updates" -v deletes="$deletes" -f "$BENCH_DIR/sql/standard_workload.sql"
    local n
    for n in 200000 "$BIG"; do
        measure "one $n-row transaction" bench_big "$n" \
            -c "INSERT INTO bench_big SELECT i, i % 1000, 'row ' || i FROM generate_series(coalesce((SELECT max(id) FROM bench_big), 0) + 1, coalesce((SELECT max(id) FROM bench_big), 0) + $n) AS i"
    done
    echo "## Sink memory, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average: $(cut -d' ' -f1-3 /proc/loadavg); sink: $SINK_COMMIT"
    echo "Command: bash bench/memory.sh$([ "$BIG" = 2000000 ] || echo " --big-rows $BIG")"
    echo
    echo "| load (fresh sink process each) | changes | seconds to ingest | sink peak RSS |"
    echo "|---|---:|---:|---:|"
    local row label changes peak secs
    for row in "${ROWS[@]}"; do
        IFS='|' read -r label changes peak secs <<<"$row"
        echo "| $label | $changes | $secs | $((peak / 1024)) MB |"
    done
    echo
    echo "Target: under 100 MB in every row, and not growing with transaction size."
}

main
