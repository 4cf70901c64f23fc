#!/usr/bin/env bash
# Latency (issue 4, section 3): a steady load of single-row updates at a fixed rate
# (pgbench -R) for a fixed time, tracked by `pgtrail run`; for every change, the time
# from the source commit (changes.committed_at) to the moment its row became visible in
# changes (the commit time of the sink's transaction: track_commit_timestamp on the
# destination, here the same cluster and clock). Prints p50/p95/p99/max.
#
#   bash bench/latency.sh [--rate 2000] [--seconds 60] [--keep]
#
# Exits non-zero only on a broken run (sink died, changes missing), never for a missed target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

RATE=2000
DURATION=60
while [ $# -gt 0 ]; do
    case $1 in
        --rate) RATE=$2; shift 2 ;;
        --seconds) DURATION=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

WORK=$BUILD_DIR/latency

main() {
    install_packages
    build_plugin
    build_sink
    rm -rf "$WORK"; mkdir -p "$WORK"
    start_cluster "$BUILD_DIR/cluster-latency" --set "track_commit_timestamp = on" --set "max_connections = 100"
    trap 'stop_sink; stop_cluster' EXIT
    q -v name=bench_tracked -f "$BENCH_DIR/sql/sink_table.sql" >/dev/null
    start_sink "$WORK/sink.log"
    wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1 60
    wait_for "SELECT count(*) FROM pg_tables WHERE tablename = 'changes'" 1 60
    log "pgbench: $RATE transactions/s for ${DURATION}s"
    "$(pg_config --bindir)/pgbench" -n -f "$BENCH_DIR/pgbench_update.sql" -R "$RATE" -T "$DURATION" -c 4 -j 2 \
        >"$WORK/pgbench.log" 2>&1 || die "pgbench failed: $(tail -5 "$WORK/pgbench.log")"
    local done
    done=$(q -c "SELECT sum(n) FROM bench_tracked")
    wait_for "SELECT count(*) FROM changes WHERE \"table\" = 'bench_tracked'" "$done" 120
    local peak_rss
    peak_rss=$(sink_peak_rss_kb)
    stop_sink
    local stats
    stats=$(q -F ' ' -c "
        WITH l AS (
            SELECT 1000 * extract(epoch FROM pg_xact_commit_timestamp(xmin) - committed_at) AS ms
              FROM changes WHERE \"table\" = 'bench_tracked')
        SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
               round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1),
               round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
               round(max(ms)::numeric, 1)
          FROM l")
    local n p50 p95 p99 max
    read -r n p50 p95 p99 max <<<"$stats"
    echo "## Latency, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average: $(cut -d' ' -f1-3 /proc/loadavg); sink: $SINK_COMMIT"
    echo "Command: bash bench/latency.sh --rate $RATE --seconds $DURATION; pgbench: $(grep -E '^tps' "$WORK/pgbench.log" | head -1)"
    echo
    echo "| changes | p50 ms | p95 ms | p99 ms | max ms | sink peak RSS |"
    echo "|---:|---:|---:|---:|---:|---:|"
    echo "| $n | $p50 | $p95 | $p99 | $max | $((peak_rss / 1024)) MB |"
    echo
    echo "Latency: source commit (committed_at) -> commit of the sink's transaction holding the row (target: p99 < 100 ms)."
}

main
