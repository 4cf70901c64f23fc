#!/usr/bin/env bash
# Values that can never be stored as to_jsonb renders them must not stop decoding: through a
# walsender (pg_recvlogical), each such value becomes the placeholder
# "<pgtrail: value of N bytes omitted: REASON>", its column is listed in "lossy", a WARNING names
# table, key columns and LSN (never a value), and the changes after it arrive (docs/FORMAT.md).
#   - a text value of 2^28 bytes, one over jsonb's string limit (REPLICA IDENTITY FULL:
#     insert, update of another column, delete);
#   - 180 MB of control characters: storable in jsonb, but 1.08 GB escaped, over the 1 GB record
#     limit (before: "Cannot enlarge string buffer", decoding stopped);
#   - a 10 MB and a 260 MB value in one row: each fits, together over jsonb's 256 MB per object.
# Memory: about 300 MB in the server; the values compress (lz4), so WAL and time stay small.
#
# Environment: as run.sh (PG_CONFIG, PGTRAIL_SOURCE_DIR, PGTRAIL_PLUGIN_DIR).
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
SOURCE_DIR=${PGTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:-$SOURCE_DIR/build/plugin-build}
BIN=$("$PG_CONFIG" --bindir)

CLUSTER_DIR=$(mktemp -d /tmp/pgtrail-oversized.XXXXXX)
RECEIVER=""
cleanup() {
    [ -n "$RECEIVER" ] && kill "$RECEIVER" 2>/dev/null || true
    bash "$SOURCE_DIR/scripts/pg-cluster.sh" destroy "$CLUSTER_DIR"
}
trap cleanup EXIT
PORT=$(PG_CONFIG=$PG_CONFIG bash "$SOURCE_DIR/scripts/pg-cluster.sh" start "$CLUSTER_DIR" --plugin-dir "$PLUGIN_DIR")
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
sql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -A -t -d "$CONN" "$@"; }
start=$(date +%s)

sql >/dev/null <<'SQL'
SET default_toast_compression = lz4;
CREATE TABLE t_big (id int PRIMARY KEY, note text, big text);
ALTER TABLE t_big REPLICA IDENTITY FULL;
CREATE TABLE t_ctl (id int PRIMARY KEY, ctl text);
CREATE TABLE t_two (id int PRIMARY KEY, a text, b text);
CREATE TABLE t_small (id int PRIMARY KEY, v text);
SQL
"$BIN/pg_recvlogical" -d "$CONN" --slot oversized --create-slot --plugin pgtrail
OUT=$CLUSTER_DIR/oversized.jsonl
"$BIN/pg_recvlogical" -d "$CONN" --slot oversized --start -f "$OUT" -s 1 2>"$OUT.err" &
RECEIVER=$!

sql >/dev/null <<'SQL'
INSERT INTO t_big VALUES (1, 'a', repeat('x', 268435456));
UPDATE t_big SET note = 'b';
DELETE FROM t_big;
INSERT INTO t_ctl VALUES (1, repeat(E'\x01', 180000000));
INSERT INTO t_two VALUES (1, repeat('y', 10000000), repeat('z', 260000000));
INSERT INTO t_small VALUES (1, 'after the big ones');
SELECT pg_logical_emit_message(true, 'done', 'end');
SQL
echo "oversized: workload written in $(( $(date +%s) - start ))s"
# The end marker is the last record: look at the end of the file only (it may grow large when
# decoding fails and restarts).
done_seen=0
for _ in $(seq 1 900); do
    if tail -c 4096 "$OUT" 2>/dev/null | grep -q '"prefix":"done"'; then done_seen=1; break; fi
    sleep 0.2
done
kill "$RECEIVER" 2>/dev/null || true
wait "$RECEIVER" 2>/dev/null || true
RECEIVER=""
if [ "$done_seen" = 0 ]; then
    echo "FAIL: decoding never reached the end marker in 180s ($(wc -c <"$OUT") bytes streamed); pg_recvlogical said:"
    sort "$OUT.err" | uniq -c | head -5
    grep -E 'ERROR' "$CLUSTER_DIR/server.log" | sort -k4 | uniq -c -f3 | head -5
    echo "oversized: FAILED" >&2
    exit 1
fi
echo "oversized: decoded in $(( $(date +%s) - start ))s, $(wc -c <"$OUT") bytes of records"

status=0
python3 - "$OUT" <<'PY' || status=1
import json, sys
records = []
with open(sys.argv[1], 'rb') as f:
    for line in f:
        records.append(json.loads(line))
rows = [r for r in records if r['op'] in 'IUD']
failures = 0
def check(name, ok):
    global failures
    print(('ok: ' if ok else 'FAIL: ') + name)
    failures += 0 if ok else 1
def find(table, op):
    return [r for r in rows if r['table'] == table and r['op'] == op]
limit = "<pgtrail: value of 268435456 bytes omitted: over jsonb's limit of 268435455 bytes>"
(i,), (u,), (d,) = find('t_big', 'I'), find('t_big', 'U'), find('t_big', 'D')
check('t_big insert: the value over the string limit is a placeholder, listed in lossy',
      i['after'] == {'id': 1, 'note': 'a', 'big': limit} and i['lossy'] == ['big'])
check('t_big update (FULL): before and after carry the placeholder, the rest is exact',
      u['before'] == {'id': 1, 'note': 'a', 'big': limit} and u['after'] == {'id': 1, 'note': 'b', 'big': limit}
      and u['lossy'] == ['big'] and 'unchanged' not in u)
check('t_big delete (FULL): before carries the placeholder',
      d['before'] == {'id': 1, 'note': 'b', 'big': limit} and d['lossy'] == ['big'])
(c,) = find('t_ctl', 'I')
check('t_ctl: 180 MB of control characters (1.08 GB escaped) is a placeholder: the record would exceed 1 GB',
      c['after'] == {'id': 1, 'ctl': '<pgtrail: value of 180000000 bytes omitted: the record would exceed 1 GB>'}
      and c['lossy'] == ['ctl'])
(t,) = find('t_two', 'I')
check('t_two: the 10 MB value is exact, the 260 MB one would take the row over 256 MB of jsonb',
      t['after']['a'] == 'y' * 10000000
      and t['after']['b'] == "<pgtrail: value of 260000000 bytes omitted: the row's jsonb would exceed 268435455 bytes>"
      and t['lossy'] == ['b'])
(s,) = find('t_small', 'I')
check('the change after them arrives, exact, without lossy', s['after'] == {'id': 1, 'v': 'after the big ones'} and 'lossy' not in s)
check('no other row records', len(rows) == 6)
sys.exit(1 if failures else 0)
PY

# The server log names each such change (table, key columns, LSN, sizes), never a value.
warnings=$(grep -c 'pgtrail: [IUD] record at [0-9A-F]*/[0-9A-F]* of table public\.t_[a-z]* (key columns: id) has 1 value(s) too large to store' "$CLUSTER_DIR/server.log" || true)
if [ "$warnings" = 5 ]; then echo "ok: 5 warnings name table, key columns and LSN"; else echo "FAIL: $warnings warnings, expected 5"; status=1; fi
if grep -qE 'xxxxxxxx|yyyyyyyy|zzzzzzzz|\\u0001' "$CLUSTER_DIR/server.log"; then echo "FAIL: a value in the server log"; status=1; else echo "ok: no value in the server log"; fi
grep -E 'pgtrail: [IUD] record at' -A1 "$CLUSTER_DIR/server.log" | head -4
if grep -E 'ERROR|PANIC|FATAL|TRAP' "$CLUSTER_DIR/server.log" | grep -vE 'terminating walsender|unexpected EOF|connection to client lost|could not send data'; then
    echo "FAIL: errors in the server log"; status=1
fi
echo "oversized: $(( $(date +%s) - start ))s"
if [ "$status" -ne 0 ]; then tail -30 "$CLUSTER_DIR/server.log"; cat "$OUT.err"; echo "oversized: FAILED" >&2; exit 1; fi
echo "oversized: all checks passed"
