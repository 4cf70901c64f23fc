#!/usr/bin/env bash
# End-to-end ingest (issue 4, section 2): the standard decode workload streamed through
# `pgtrail run` into `changes` (destination = source database, default schema and
# indexes), beside the physical limit (a raw COPY of the same rows into an empty
# changes table) and pg_recvlogical + wal2json v2 writing a file, in one run.
#
#   bash bench/ingest.sh [--scale F] [--plugin pgtrail|pgoutput] [--table-publication] [--small-pages] [--keep] [-- pgtrail run options]
#
# The server runs on huge pages (huge_pages = on; the script reserves them, as root, and gives
# them back), as PostgreSQL's documentation advises for a server of this size. --small-pages: 4 kB
# pages instead, where the sink's fresh writer backend pays a page fault for every shared buffer
# its batches land on (bench/README.md 2b, "Huge pages").
# --table-publication: bench_pub lists the workload's tables instead of FOR ALL TABLES, so it leaves
# out the changes table the sink writes (in pgoutput mode the walsender then skips the sink's own rows).
# Options after `--` go to both sink runs (e.g. `-- --batch-size 50000 --batch-time-ms 1000`).
# --plugin pgoutput: both sink runs decode with PostgreSQL's pgoutput (`pgtrail run --plugin
# pgoutput --publication bench_pub`, a FOR ALL TABLES publication), as on a managed service.
#
# Measured:
#   sink, streaming  first source commit -> last change visible in changes, the sink
#                    running while the workload commits (bounded by the workload's pace)
#   sink, backlog    sink started after the workload on a slot holding all of it ->
#                    last change visible (the sink's own top speed)
#   COPY             COPY of exactly the rows the sink wrote into an empty changes table
#   pg_recvlogical   wal2json format-version 2 into a file (bench_standard only: the slot
#                    also holds the sink's writes to changes), from a slot holding the
#                    whole workload, until the workload's end LSN
# Exits non-zero only on a broken run (sink died, rows missing), never for a missed target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$BENCH_DIR/sink_lib.sh"

SCALE=1
PLUGIN=pgtrail
SINK_EXTRA_ARGS=()
TABLE_PUBLICATION=0
HUGE_PAGES=on
while [ $# -gt 0 ]; do
    case $1 in
        --scale) SCALE=$2; shift 2 ;;
        --plugin) PLUGIN=$2; shift 2 ;;
        --table-publication) TABLE_PUBLICATION=1; shift ;;
        --small-pages) HUGE_PAGES=off; shift ;;
        --keep) export BENCH_KEEP=1; shift ;;
        --) shift; SINK_EXTRA_ARGS=("$@"); break ;;
        -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

case $PLUGIN in
    pgtrail) SINK_PLUGIN_ARGS=(--plugin pgtrail) ;;
    pgoutput) SINK_PLUGIN_ARGS=(--plugin pgoutput --publication bench_pub) ;;
    *) die "--plugin is pgtrail or pgoutput, not $PLUGIN" ;;
esac
WORK=$BUILD_DIR/ingest
TIMEOUT=1800

# Autovacuum and autoanalyze runs finished so far, over every table.
autovacuum_runs() { q -c "SELECT sum(autovacuum_count + autoanalyze_count) FROM pg_stat_all_tables"; }
count_sql() { echo "SELECT count(*) FROM $1 WHERE \"table\" = 'bench_standard'"; }
# The end of the workload is a one-row marker transaction: batches commit in source order, so
# once the marker is visible everything before it is. Polling it is an index probe; polling a
# count(*) of a growing changes table every 50 ms would steal the destination's CPU.
marker_sql() { echo "SELECT count(*) FROM $1 WHERE schema = 'public' AND \"table\" = 'bench_marker'"; }

main() {
    install_packages postgresql-15-wal2json
    build_plugin
    build_sink
    rm -rf "$WORK"; mkdir -p "$WORK"; chmod 777 "$WORK"
    [ "$HUGE_PAGES" = off ] || reserve_huge_pages 600
    trap 'release_huge_pages' EXIT
    start_cluster "$BUILD_DIR/cluster-ingest" --set "autovacuum = on" --set "max_wal_size = 4GB" \
        --set "shared_buffers = 512MB" --set "huge_pages = $HUGE_PAGES"
    trap 'stop_sink; stop_cluster; release_huge_pages' EXIT
    q -f "$BENCH_DIR/sql/decode_setup.sql"
    q -f "$BENCH_DIR/sql/standard_schema.sql"
    q -c "CREATE TABLE bench_marker (id int PRIMARY KEY)"
    # (pgoutput on PostgreSQL 15 has no origin filter: under FOR ALL TABLES it decodes and sends the sink's own rows)
    [ "$TABLE_PUBLICATION" = 0 ] || q -c "DROP PUBLICATION bench_pub; CREATE PUBLICATION bench_pub FOR TABLE bench_standard, bench_marker"
    local inserts updates deletes
    read -r inserts updates deletes <<<"$(workload_counts standard "$SCALE")"
    local changes=$((inserts + updates + deletes))

    # Slots that hold the whole workload for the backlog runs, created before it.
    q -c "SELECT pg_create_logical_replication_slot('bench_backlog', '$PLUGIN')" >/dev/null
    q -c "SELECT pg_create_logical_replication_slot('bench_w2j', 'wal2json')" >/dev/null

    log "sink, streaming: starting pgtrail run"
    local av_stream av_backlog av_copy av_end
    av_stream=$(autovacuum_runs)
    start_sink "$WORK/sink-streaming.log" "${SINK_PLUGIN_ARGS[@]}" "${SINK_EXTRA_ARGS[@]}"
    wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1 60
    wait_for "SELECT count(*) FROM pg_tables WHERE tablename = 'changes'" 1 60
    log "workload: $inserts inserts, $updates updates, $deletes deletes"
    q -c "CHECKPOINT"
    local w0 w1
    w0=$(now_epoch)
    q -v inserts="$inserts" -v updates="$updates" -v deletes="$deletes" -f "$BENCH_DIR/sql/standard_workload.sql"
    q -c "INSERT INTO bench_marker VALUES (1)"
    w1=$(now_epoch)
    local end_lsn
    end_lsn=$(q -c "SELECT pg_current_wal_lsn()")
    wait_for "$(marker_sql changes)" 1 "$TIMEOUT"
    local visible
    visible=$WAIT_SEEN
    [ "$(q -c "$(count_sql changes)")" = "$changes" ] || die "the streaming sink wrote the wrong number of changes"
    local first_commit
    first_commit=$(q -c "SELECT extract(epoch FROM min(committed_at)) FROM changes WHERE \"table\" = 'bench_standard'")
    stop_sink

    log "sink, backlog: pgtrail run on a slot holding the whole workload"
    av_backlog=$(autovacuum_runs)
    # Every timed part starts with clean shared buffers, as the raw COPY does: else the backlog's
    # writer would spend its time writing out the streaming run's dirty pages (perf: mdwrite).
    q -c "CHECKPOINT"
    local b0 b1
    b0=$(now_epoch)
    start_sink "$WORK/sink-backlog.log" "${SINK_PLUGIN_ARGS[@]}" --slot bench_backlog --changes-table changes_backlog "${SINK_EXTRA_ARGS[@]}"
    wait_for "SELECT count(*) FROM pg_tables WHERE tablename = 'changes_backlog'" 1 60
    wait_for "$(marker_sql changes_backlog)" 1 "$TIMEOUT"
    b1=$WAIT_SEEN
    # CPU seconds of each part since it started (they all start with this sink run).
    local writer walsender cpu_writer cpu_walsender cpu_sink
    writer=$(q -c "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                   AND (query LIKE 'BEGIN; COPY %changes_backlog%' OR query LIKE '%pg_replication_origin_xact_setup%')")
    walsender=$(q -c "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'bench_backlog'")
    cpu_writer=$(cpu_seconds "$writer"); cpu_walsender=$(cpu_seconds "$walsender"); cpu_sink=$(cpu_seconds "$SINK_PID")
    [ "$(q -c "$(count_sql changes_backlog)")" = "$changes" ] || die "the backlog sink wrote the wrong number of changes"
    stop_sink

    log "COPY: the sink's rows into an empty changes table"
    av_copy=$(autovacuum_runs)
    # The columns the sink's COPY sends (sink/stream/change_encoder.h: kCopyColumns), so the
    # destination does the same work: id and created_at come from their defaults in both.
    local columns='commit_lsn, ordinal, position, transaction_id, committed_at, queued_at, operation, database, schema, "table", primary_key, before, after, context, unchanged'
    q -c "COPY (SELECT $columns FROM changes WHERE \"table\" = 'bench_standard' ORDER BY commit_lsn, ordinal) TO '$WORK/changes.copy'"
    q -c "CREATE TABLE changes_copy (LIKE changes INCLUDING ALL)"
    q -c "CHECKPOINT"
    local copy_seconds cpu_copy
    read -r copy_seconds cpu_copy < <(q -v columns="$columns" -v file="$WORK/changes.copy" <<'SQL'
SELECT pg_backend_pid() AS pid \gset
\set cpu_before `awk '{ print $14 + $15 }' /proc/:pid/stat`
SELECT bench_time(format('COPY changes_copy (%s) FROM %L', :'columns', :'file')) AS seconds \gset
\set cpu_after `awk '{ print $14 + $15 }' /proc/:pid/stat`
SELECT :'seconds' || ' ' || round((:cpu_after - :cpu_before) / 100.0, 2);
SQL
)
    [ "$(q -c "SELECT count(*) FROM changes_copy")" = "$changes" ] || die "COPY loaded the wrong number of rows"

    av_end=$(autovacuum_runs)
    log "pg_recvlogical + wal2json v2 into a file, up to $end_lsn"
    local r0 r1
    r0=$(now_epoch)
    "$(pg_config --bindir)/pg_recvlogical" -d "$(source_conn)" --slot bench_w2j --start --endpos "$end_lsn" \
        --no-loop -o format-version=2 -o include-xids=1 -o include-timestamp=1 -o include-lsn=1 \
        -o add-tables=public.bench_standard \
        -f "$WORK/wal2json.out" 2>"$WORK/recvlogical.log" || die "pg_recvlogical failed: $(cat "$WORK/recvlogical.log")"
    r1=$(now_epoch)
    local w2j_changes
    w2j_changes=$(grep -c '"action":"[IUD]"' "$WORK/wal2json.out" || true)
    [ "$w2j_changes" = "$changes" ] || die "wal2json wrote $w2j_changes changes, expected $changes"

    local sink_stream sink_backlog copy recv workload
    sink_stream=$(awk -v a="$first_commit" -v b="$visible" 'BEGIN { printf "%.3f", b - a }')
    sink_backlog=$(awk -v a="$b0" -v b="$b1" 'BEGIN { printf "%.3f", b - a }')
    recv=$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.3f", b - a }')
    workload=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.3f", b - a }')
    copy=$(awk -v s="$copy_seconds" 'BEGIN { printf "%.3f", s }')
    echo "## End-to-end ingest, sink decoding with $PLUGIN, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average: $(cut -d' ' -f1-3 /proc/loadavg); sink: $SINK_COMMIT; shared memory on $([ "$HUGE_PAGES" = on ] && echo "2 MB huge pages" || echo "4 kB pages")"
    echo "Command: bash bench/ingest.sh$([ "$SCALE" = 1 ] || echo " --scale $SCALE")$([ "$PLUGIN" = pgtrail ] || echo " --plugin $PLUGIN")$([ "$TABLE_PUBLICATION" = 0 ] || echo " --table-publication")$([ "$HUGE_PAGES" = on ] || echo " --small-pages")$([ ${#SINK_EXTRA_ARGS[@]} = 0 ] || echo " -- ${SINK_EXTRA_ARGS[*]}"); $changes changes (standard workload); the workload itself took ${workload} s"
    echo
    echo "| pipeline | seconds | changes/s | vs COPY |"
    echo "|---|---:|---:|---:|"
    local row
    for row in "pgtrail run ($PLUGIN), streaming (first commit -> last visible)|$sink_stream" \
               "pgtrail run ($PLUGIN), backlog (start -> last visible)|$sink_backlog" \
               "raw COPY into an empty changes table|$copy" \
               "pg_recvlogical + wal2json v2 -> file (backlog)|$recv"; do
        awk -F'|' -v n="$changes" -v c="$copy" '{ printf "| %s | %.3f | %d | %.2fx |\n", $1, $2, n / $2, c / $2 }' <<<"$row"
    done
    echo
    echo "vs COPY: COPY's time / this pipeline's time (target: >= 0.80x in plugin mode, >= 0.75x in pgoutput mode)."
    echo
    echo "CPU seconds of the backlog run: destination backend $cpu_writer, walsender $cpu_walsender, sink $cpu_sink;" \
         "the raw COPY's backend $cpu_copy (destination backend / raw COPY's:" \
         "$(awk -v a="$cpu_writer" -v b="$cpu_copy" 'BEGIN { printf "%.2fx", a / b }'))."
    echo "Autovacuum and autoanalyze runs that ended during the streaming run: $((av_backlog - av_stream)), the backlog run:" \
         "$((av_copy - av_backlog)), the COPY: $((av_end - av_copy)) (they share the 2 cores with what is timed)."
}

main
