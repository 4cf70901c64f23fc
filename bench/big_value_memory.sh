#!/usr/bin/env bash
# Sink memory for one huge value (issue 15): a fresh `pgtrail run` ingests one row holding an
# N MB text value (random hex, so it is as large in the record as in the table); prints the
# sink's peak RSS (VmHWM) while it was written and its resident memory (VmRSS) once it is
# written and the sink is idle again, each as a multiple of the value's size.
#
#   bash bench/big_value_memory.sh BUILD_DIR [MB] [pgtrail|pgoutput]
#
# BUILD_DIR holds sink/pgtrail and plugin-build/pgtrail.so (a CMake build of this tree).
# Exits non-zero only on a broken run, never for a missed target.
set -euo pipefail
BUILD=$(cd "${1:?usage: big_value_memory.sh BUILD_DIR [MB] [pgtrail|pgoutput]}" && pwd)
MB=${2:-100}
PLUGIN=${3:-pgtrail}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/pgtrail-bench-bigvalue.XXXXXX)
chmod 755 "$WORK"
SINK_PID=""
cleanup() {
    [ -z "$SINK_PID" ] || kill -TERM "$SINK_PID" 2>/dev/null || true
    bash "$ROOT/scripts/pg-cluster.sh" destroy "$WORK/pg" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(bash "$ROOT/scripts/pg-cluster.sh" start "$WORK/pg" --plugin-dir "$BUILD/plugin-build")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
q "CREATE TABLE big (id int PRIMARY KEY, v text); ALTER TABLE big ALTER COLUMN v SET STORAGE EXTERNAL"
OPTS=(--plugin "$PLUGIN")
# As setup would: not FOR ALL TABLES, which would send the sink its own write of the value back.
if [ "$PLUGIN" = pgoutput ]; then q "CREATE PUBLICATION bench FOR TABLE big"; OPTS+=(--publication bench); fi
"$BUILD/sink/pgtrail" run --source "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" "${OPTS[@]}" >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 300); do [ "$(q "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ] && break; sleep 0.2; done
q "INSERT INTO big VALUES (0, 'small')"
for _ in $(seq 1 300); do [ "$(q "SELECT count(*) FROM changes" 2>/dev/null || echo 0)" = 1 ] && break; sleep 0.2; done
status() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SINK_PID/status"; }
BASE=$(status VmRSS)
T0=$(date +%s.%N)
# md5 hex: 32 bytes per call, 1 MB = 32768 calls.
q "INSERT INTO big SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, $MB * 32768) i"
for _ in $(seq 1 3000); do [ "$(q "SELECT count(*) FROM changes")" = 2 ] && break; sleep 0.2; done
[ "$(q "SELECT count(*) FROM changes")" = 2 ] || { tail -20 "$WORK/sink.log" >&2; echo "the value never arrived" >&2; exit 1; }
T1=$(date +%s.%N)
sleep 3  # idle: the next poll of the source frees what the last message held
PEAK=$(status VmHWM)
AFTER=$(status VmRSS)
LOSSY=$(q "SELECT coalesce(lossy::text, '') FROM changes WHERE primary_key = '1'")
ratio() { awk -v a="$1" -v b="$2" -v mb="$MB" 'BEGIN { printf "%.2f", (a - b) / 1024 / mb }'; }
echo "## Sink memory for one ${MB} MB value ($PLUGIN), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Command: bash bench/big_value_memory.sh $1 $MB $PLUGIN; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| value | written in | sink RSS before | peak (VmHWM) | peak above before / value | resident after | resident above before / value |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
echo "| $MB MB | $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f s", b - a }') | $((BASE / 1024)) MB | $((PEAK / 1024)) MB | $(ratio "$PEAK" "$BASE")x | $((AFTER / 1024)) MB | $(ratio "$AFTER" "$BASE")x |"
[ -z "$LOSSY" ] || echo "(stored with lossy = $LOSSY)"
