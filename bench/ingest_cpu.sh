#!/usr/bin/env bash
# Where the sink's ingest time goes: CPU seconds of the sink, the walsender and the destination
# backend while `pgtrail run` drains a slot holding the standard workload (450,000 changes).
#
#   bash bench/ingest_cpu.sh [--plugin pgtrail|pgoutput] [extra pgtrail run options]
#
# --plugin pgoutput: the slot decodes with PostgreSQL's pgoutput (publication bench_pub, FOR ALL
# TABLES) and the sink converts the text values itself; the last column divides the sink's CPU
# by the 450,000 changes.
#
# Uses the plugin and sink of build/ (cmake --build build first; PGTRAIL_SINK=/path/to/pgtrail for
# another sink binary); a throwaway cluster.
set -euo pipefail
PLUGIN=pgtrail
if [ "${1:-}" = --plugin ]; then PLUGIN=$2; shift 2; fi
case $PLUGIN in
    pgtrail) PLUGIN_ARGS=(--plugin pgtrail) ;;
    pgoutput) PLUGIN_ARGS=(--plugin pgoutput --publication bench_pub) ;;
    *) echo "--plugin is pgtrail or pgoutput, not $PLUGIN" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(pg_config --bindir)
SINK=${PGTRAIL_SINK:-$ROOT/build/sink/pgtrail}
[ -x "$SINK" ] || { echo "build the sink first: cmake -S . -B build && cmake --build build" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pgtrail-ingest-cpu.XXXXXX); chmod 755 "$WORK"
PORT=$("$ROOT/scripts/pg-cluster.sh" start "$WORK/cluster" --plugin-dir "$ROOT/build/plugin-build" \
    --set "max_wal_size = 4GB" --set "shared_buffers = 512MB" --set "autovacuum = off")
SINK_PID=""
trap '[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; "$ROOT/scripts/pg-cluster.sh" destroy "$WORK/cluster"; rm -rf "$WORK"' EXIT
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cpu_seconds() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }

q -f "$ROOT/bench/sql/decode_setup.sql" >/dev/null
q -f "$ROOT/bench/sql/standard_schema.sql" >/dev/null
q -c "SELECT pg_create_logical_replication_slot('pgtrail', '$PLUGIN')" >/dev/null
q -v inserts=200000 -v updates=200000 -v deletes=50000 -f "$ROOT/bench/sql/standard_workload.sql" >/dev/null

start=$(date +%s.%N)
"$SINK" run --source "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" "${PLUGIN_ARGS[@]}" "$@" >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
until [ "$(q -c "SELECT count(*) FROM pg_stat_replication")" = 1 ] && \
      [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'BEGIN; COPY%'")" = 1 ]; do sleep 0.05; done
walsender=$(q -c "SELECT pid FROM pg_stat_replication")
writer=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'BEGIN; COPY%'")
until [ "$(q -c "SELECT count(*) FROM changes")" = 450000 ]; do
    s=$(cpu_seconds "$SINK_PID"); w=$(cpu_seconds "$walsender"); d=$(cpu_seconds "$writer")
    sleep 0.2
done
end=$(date +%s.%N)
s=$(cpu_seconds "$SINK_PID"); w=$(cpu_seconds "$walsender"); d=$(cpu_seconds "$writer")
echo "| plugin | start -> 450,000 changes visible | sink CPU | walsender CPU | destination backend CPU | sink CPU per change |"
echo "|---|---:|---:|---:|---:|---:|"
printf '| %s | %.2f s | %s s | %s s | %s s | %.2f us |\n' "$PLUGIN" "$(echo "$end - $start" | bc)" "$s" "$w" "$d" \
    "$(echo "$s * 1000000 / 450000" | bc -l)"
