#!/usr/bin/env bash
# Ingest into a partitioned changes table (issue 14: >= 0.9x of the unpartitioned one). The
# standard workload is committed once while 2 x ROUNDS slots hold it; then `pgtrail run` drains
# each slot (backlog: the sink's top speed, where the table's cost shows most) alternately into a
# plain changes table and into one created with --partition-by day (today's and the days ahead's
# partitions, a default partition), timing start -> last change visible.
#
#   bash bench/partition_ingest.sh [--scale F] [--rounds N] [--plugin pgtrail|pgoutput] [--keep]
#
# PGTRAIL_SINK=path/to/pgtrail skips building the sink (bench/sink_lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

SCALE=1
ROUNDS=2
PLUGIN=pgtrail
while [ $# -gt 0 ]; do
    case $1 in
        --scale) SCALE=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --plugin) PLUGIN=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
case $PLUGIN in
    pgtrail) SINK_PLUGIN_ARGS=(--plugin pgtrail) ;;
    pgoutput) SINK_PLUGIN_ARGS=(--plugin pgoutput --publication bench_pub) ;;
    *) die "--plugin is pgtrail or pgoutput, not $PLUGIN" ;;
esac
WORK=$BUILD_DIR/partition-ingest
TIMEOUT=1800

marker_sql() { echo "SELECT count(*) FROM $1 WHERE schema = 'public' AND \"table\" = 'bench_marker'"; }

# drain SLOT TABLE [options...]: prints the seconds from start to the marker visible in TABLE.
drain() {
    local slot=$1 table=$2; shift 2
    local t0 t1
    t0=$(now_epoch)
    start_sink "$WORK/sink-$slot.log" "${SINK_PLUGIN_ARGS[@]}" --slot "$slot" --changes-table "$table" "$@"
    wait_for "SELECT count(*) FROM pg_tables WHERE tablename = '$table'" 1 120
    wait_for "$(marker_sql "$table")" 1 "$TIMEOUT"
    t1=$WAIT_SEEN
    stop_sink
    [ "$(q -c "SELECT count(*) FROM $table WHERE \"table\" = 'bench_standard'")" = "$CHANGES" ] || die "$table holds the wrong number of changes"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

main() {
    build_plugin
    build_sink
    rm -rf "$WORK"; mkdir -p "$WORK"; chmod 777 "$WORK"
    start_cluster "$BUILD_DIR/cluster-partition-ingest" --set "autovacuum = on" --set "max_wal_size = 4GB" --set "shared_buffers = 512MB"
    trap 'stop_sink; stop_cluster' EXIT
    q -f "$BENCH_DIR/sql/decode_setup.sql"
    q -f "$BENCH_DIR/sql/standard_schema.sql"
    q -c "CREATE TABLE bench_marker (id int PRIMARY KEY)"
    local inserts updates deletes
    read -r inserts updates deletes <<<"$(workload_counts standard "$SCALE")"
    CHANGES=$((inserts + updates + deletes))
    local r
    for r in $(seq 1 "$ROUNDS"); do
        q -c "SELECT pg_create_logical_replication_slot('plain_$r', '$PLUGIN')" >/dev/null
        q -c "SELECT pg_create_logical_replication_slot('part_$r', '$PLUGIN')" >/dev/null
    done
    log "workload: $inserts inserts, $updates updates, $deletes deletes"
    q -v inserts="$inserts" -v updates="$updates" -v deletes="$deletes" -f "$BENCH_DIR/sql/standard_workload.sql"
    q -c "INSERT INTO bench_marker VALUES (1)"
    q -c "CHECKPOINT"
    local plain=() part=()
    for r in $(seq 1 "$ROUNDS"); do
        # Alternate which goes first, so a trend in the machine's load hits both.
        if [ $((r % 2)) = 1 ]; then
            plain+=("$(drain "plain_$r" "changes_plain_$r")"); log "plain round $r: ${plain[-1]} s"
            part+=("$(drain "part_$r" "changes_part_$r" --partition-by day)"); log "partitioned round $r: ${part[-1]} s"
        else
            part+=("$(drain "part_$r" "changes_part_$r" --partition-by day)"); log "partitioned round $r: ${part[-1]} s"
            plain+=("$(drain "plain_$r" "changes_plain_$r")"); log "plain round $r: ${plain[-1]} s"
        fi
    done
    [ "$(q -c "SELECT relkind FROM pg_class WHERE oid = 'changes_part_1'::regclass")" = p ] || die "changes_part_1 is not partitioned"
    local in_default
    in_default=$(q -c "SELECT sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', c.relname), false, true, '')))[1]::text::bigint)
                       FROM pg_class c WHERE c.relname LIKE 'changes\_part\_%\_default'")
    # Rows in a default partition mean the range partitions were not there: not the cost measured here.
    [ "$in_default" = 0 ] || log "WARNING: $in_default rows in the default partitions: not a verdict on partitioned ingest"
    local plain_sum part_sum
    plain_sum=$(printf '%s\n' "${plain[@]}" | awk '{ s += $1 } END { printf "%.3f", s }')
    part_sum=$(printf '%s\n' "${part[@]}" | awk '{ s += $1 } END { printf "%.3f", s }')
    echo "## Ingest into a partitioned changes table, sink decoding with $PLUGIN, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average: $(cut -d' ' -f1-3 /proc/loadavg); sink: $SINK_COMMIT"
    echo "Command: bash bench/partition_ingest.sh$([ "$SCALE" = 1 ] || echo " --scale $SCALE")$([ "$ROUNDS" = 2 ] || echo " --rounds $ROUNDS")$([ "$PLUGIN" = pgtrail ] || echo " --plugin $PLUGIN"); $CHANGES changes (standard workload) per drain; rows in the default partitions: $in_default"
    echo
    echo "| changes table | drains (s) | total s | changes/s |"
    echo "|---|---|---:|---:|"
    echo "| plain | ${plain[*]} | $plain_sum | $(awk -v n="$CHANGES" -v k="$ROUNDS" -v s="$plain_sum" 'BEGIN { printf "%d", n * k / s }') |"
    echo "| --partition-by day | ${part[*]} | $part_sum | $(awk -v n="$CHANGES" -v k="$ROUNDS" -v s="$part_sum" 'BEGIN { printf "%d", n * k / s }') |"
    echo
    echo "Partitioned / plain ingest rate: $(awk -v a="$plain_sum" -v b="$part_sum" 'BEGIN { printf "%.2fx", a / b }') (target >= 0.90x)."
}

main
