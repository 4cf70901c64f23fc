#!/usr/bin/env bash
# Cost to the source (issue 4, section 4): pgbench TPS of single-row updates on the
# tracked table while `pgtrail run` consumes the slot, against no slot at all, in
# alternating runs of one session; and the extra WAL per transaction that REPLICA
# IDENTITY FULL costs, measured on the same table and transactions.
#
#   bash bench/source_cost.sh [--rounds 3] [--seconds 20] [--clients 4] [--keep]
#
# Exits non-zero only on a broken run, never for a missed target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

ROUNDS=3
DURATION=20
CLIENTS=4
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --seconds) DURATION=$2; shift 2 ;;
        --clients) CLIENTS=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

WORK=$BUILD_DIR/source-cost
PGBENCH=$(pg_config --bindir)/pgbench

# One pgbench run; prints its TPS.
tps() {
    "$PGBENCH" -n -f "$BENCH_DIR/pgbench_update.sql" -T "$DURATION" -c "$CLIENTS" -j 2 >"$WORK/pgbench.log" 2>&1 \
        || die "pgbench failed: $(tail -5 "$WORK/pgbench.log")"
    awk '/^tps/ { printf "%.0f\n", $3; exit }' "$WORK/pgbench.log"
}

# WAL bytes per transaction of N single-row updates (fixed seed) on a fresh copy of the
# table with the given replica identity, right after a checkpoint: both settings touch
# the same rows and pages and write the same full-page images, so the difference is
# exactly what the old row images cost.
wal_per_xact() {
    local n=2000 lsn0 lsn1
    q -c "DROP TABLE IF EXISTS bench_tracked" >/dev/null
    q -v name=bench_tracked -f "$BENCH_DIR/sql/sink_table.sql" >/dev/null
    q -c "ALTER TABLE bench_tracked REPLICA IDENTITY $1" -c "CHECKPOINT" >/dev/null
    lsn0=$(q -c "SELECT pg_current_wal_insert_lsn()")
    "$PGBENCH" -n -f "$BENCH_DIR/pgbench_update.sql" -t "$n" -c 1 --random-seed=42 >/dev/null 2>&1 || die "pgbench failed"
    lsn1=$(q -c "SELECT pg_current_wal_insert_lsn()")
    q -c "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / $n)"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

main() {
    install_packages
    build_plugin
    build_sink
    rm -rf "$WORK"; mkdir -p "$WORK"
    start_cluster "$BUILD_DIR/cluster-source-cost" --set "max_connections = 100"
    trap 'stop_sink; stop_cluster' EXIT

    log "WAL per transaction: REPLICA IDENTITY DEFAULT, then FULL"
    local wal_default wal_full
    wal_default=$(wal_per_xact DEFAULT)
    wal_full=$(wal_per_xact FULL)   # leaves bench_tracked with REPLICA IDENTITY FULL for the TPS runs

    local plain=() tracked=()
    for ((round = 1; round <= ROUNDS; round++)); do
        log "round $round/$ROUNDS: no slot"
        plain+=("$(tps)")
        log "round $round/$ROUNDS: pgtrail run consuming the slot"
        start_sink "$WORK/sink.log"
        wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1 60
        tracked+=("$(tps)")
        # Let the sink catch up before it stops, so the next plain run is not sharing the CPU with it.
        wait_for "SELECT (confirmed_flush_lsn >= pg_current_wal_lsn() - 1024 * 1024)::text FROM pg_replication_slots WHERE slot_name = 'pgtrail'" true 600
        stop_sink
        q -c "SELECT pg_drop_replication_slot('pgtrail')" >/dev/null
    done
    local plain_median tracked_median
    plain_median=$(printf '%s\n' "${plain[@]}" | median)
    tracked_median=$(printf '%s\n' "${tracked[@]}" | median)
    echo "## Cost to the source, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average: $(cut -d' ' -f1-3 /proc/loadavg); sink: $SINK_COMMIT"
    echo "Command: bash bench/source_cost.sh --rounds $ROUNDS --seconds $DURATION --clients $CLIENTS (sink and source on the same machine)"
    echo
    echo "| pgbench single-row updates | TPS per round | median TPS | ratio |"
    echo "|---|---|---:|---:|"
    echo "| no slot | ${plain[*]} | $plain_median | 1.00 |"
    awk -v t="$tracked_median" -v p="$plain_median" -v r="${tracked[*]}" \
        'BEGIN { printf "| pgtrail run consuming | %s | %s | %.2f |\n", r, t, t / p }'
    echo
    echo "| WAL per single-row update transaction (2,000 after a checkpoint, full-page images included) | bytes |"
    echo "|---|---:|"
    echo "| REPLICA IDENTITY DEFAULT | $wal_default |"
    echo "| REPLICA IDENTITY FULL | $wal_full |"
    echo "| extra for FULL | $((wal_full - wal_default)) |"
}

main
