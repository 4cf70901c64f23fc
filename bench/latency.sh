#!/usr/bin/env bash
# Latency (issue 4, section 3): a steady load of single-row updates at a fixed rate
# (pgbench -R) for a fixed time, tracked by `pgtrail run`; for every change, the time
# from the source commit (changes.committed_at) to the moment its row became visible in
# changes: a poller in the destination records the highest visible commit_lsn every 5 ms
# (same cluster, same clock). Prints p50/p95/p99/max, and the same for the time to the
# start of the sink's transaction (changes.created_at) as a lower bound.
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

# "n | p50 | p95 | p99 | max" in ms of (EXPR - committed_at) over the tracked table's changes.
percentiles() {
    q -c "
        WITH l AS (SELECT 1000 * extract(epoch FROM $1 - c.committed_at) AS ms
                     FROM changes c WHERE c.\"table\" = 'bench_tracked')
        SELECT concat_ws(' | ', count(*),
                         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                         round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                         round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                         round(max(ms)::numeric, 1))
          FROM l"
}

main() {
    install_packages
    build_plugin
    build_sink
    rm -rf "$WORK"; mkdir -p "$WORK"
    start_cluster "$BUILD_DIR/cluster-latency" --set "max_connections = 100"
    trap 'stop_sink; stop_cluster' EXIT
    q -v name=bench_tracked -f "$BENCH_DIR/sql/sink_table.sql" >/dev/null
    start_sink "$WORK/sink.log"
    wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1 60
    wait_for "SELECT count(*) FROM pg_tables WHERE tablename = 'changes'" 1 60
    q -f "$BENCH_DIR/sql/visibility_poller.sql"
    q -c "CALL bench_poll_visibility($DURATION + 15, 5)" &
    local poller=$!
    log "pgbench: $RATE transactions/s for ${DURATION}s"
    "$(pg_config --bindir)/pgbench" -n -f "$BENCH_DIR/pgbench_update.sql" -R "$RATE" -T "$DURATION" -c 4 -j 2 \
        >"$WORK/pgbench.log" 2>&1 || die "pgbench failed: $(tail -5 "$WORK/pgbench.log")"
    local done
    done=$(q -c "SELECT sum(n) FROM bench_tracked")
    wait_for "SELECT count(*) FROM changes WHERE \"table\" = 'bench_tracked'" "$done" 120
    wait "$poller" || die "the visibility poller failed"
    q -c "CREATE INDEX ON bench_visibility (commit_lsn, seen_at)"
    [ "$(q -c "SELECT max(commit_lsn) FROM bench_visibility")" = "$(q -c "SELECT max(commit_lsn) FROM changes")" ] \
        || die "the poller stopped before every change was visible"
    local peak_rss
    peak_rss=$(sink_peak_rss_kb)
    stop_sink
    local visible started
    # Visible max(commit_lsn) only grows with time: the first poll at or past a commit is the
    # one with the smallest such commit_lsn (an index probe, not a range scan).
    visible=$(percentiles "(SELECT v.seen_at FROM bench_visibility v WHERE v.commit_lsn >= c.commit_lsn
                              ORDER BY v.commit_lsn, v.seen_at LIMIT 1)")
    started=$(percentiles "c.created_at")
    echo "## Latency, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average: $(cut -d' ' -f1-3 /proc/loadavg); sink: $SINK_COMMIT"
    echo "Command: bash bench/latency.sh --rate $RATE --seconds $DURATION; pgbench: $(grep -E '^tps' "$WORK/pgbench.log" | head -1)"
    echo
    echo "| source commit -> | changes | p50 ms | p95 ms | p99 ms | max ms |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| row visible in changes (polled every 5 ms) | $visible |"
    echo "| start of the sink's transaction (created_at) | $started |"
    echo
    echo "Target: p99 under 100 ms (visible). Sink peak RSS during the run: $((peak_rss / 1024)) MB."
}

main
