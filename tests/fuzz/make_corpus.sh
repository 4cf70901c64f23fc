#!/usr/bin/env bash
# Regenerates the seed corpus from real plugin output: a throwaway cluster with the
# freshly built plugin, a slot, the regress workloads (tests/regress/sql/*.sql) and the
# oracle's mixed workload; the slot's records, split at transaction boundaries into files
# of a few transactions (records over 16 kB left out), go to tests/fuzz/corpus/.
#   tests/fuzz/make_corpus.sh PLUGIN_DIR [MAX_FILES]
set -euo pipefail
SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PLUGIN_DIR=$(realpath "${1:?usage: make_corpus.sh PLUGIN_DIR [MAX_FILES]}")
MAX_FILES=${2:-150}
OUT=$SOURCE_DIR/tests/fuzz/corpus
WORK=$(mktemp -d /tmp/pgtrail-corpus.XXXXXX)
chmod 755 "$WORK"
trap 'bash "$SOURCE_DIR/scripts/pg-cluster.sh" destroy "$WORK/pg" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
PORT=$(bash "$SOURCE_DIR/scripts/pg-cluster.sh" start "$WORK/pg" --plugin-dir "$PLUGIN_DIR" --set "max_prepared_transactions = 10")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
psql -X -q -c "SELECT pg_create_logical_replication_slot('corpus', 'pgtrail')" >/dev/null
for file in "$SOURCE_DIR"/tests/regress/sql/*.sql; do
    psql -X -q -f "$file" >/dev/null 2>&1 || true
done
psql -X -q -f "$SOURCE_DIR/tests/integration/lib/oracle.sql" >/dev/null
psql -X -q -f "$SOURCE_DIR/tests/integration/lib/oracle_workload.sql" >/dev/null
psql -X -q -c "CALL oracle.workload(60, 0.5)" >/dev/null
psql -X -q -c "SELECT pg_logical_emit_message(false, '_bemi', '{\"outside\": true}');
               SELECT pg_logical_emit_message(true, '_bemi', 'not json \\\\ {');
               SELECT pg_logical_emit_message(true, '_bemi_heartbeat', '{}')" >/dev/null
psql -X -q -At -c "SELECT data FROM pg_logical_slot_get_changes('corpus', NULL, NULL, 'messages', '_bemi,_bemi_heartbeat')" >"$WORK/records"
rm -rf "$OUT"
mkdir -p "$OUT"
# Files of 1 to 4 transactions, spread over the whole stream.
awk -v out="$OUT" -v max="$MAX_FILES" '
    length($0) > 16384 { next }
    { buf = buf $0 "\n" }
    /^\{"op":"C"/ || /"transactional":false/ {
        xacts++
        if (xacts >= want) { files++; if (files <= max * 4 && files % 4 == 0) { f = sprintf("%s/seed-%04d", out, files / 4); printf "%s", buf > f; close(f) } buf = ""; xacts = 0; want = 1 + files % 4 }
    }' "$WORK/records"
echo "corpus: $(ls "$OUT" | wc -l) files, $(du -sh "$OUT" | cut -f1) from $(wc -l <"$WORK/records") records"
