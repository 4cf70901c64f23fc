#!/usr/bin/env bash
# The plugin's pg_regress golden tests: every tests/regress/sql/NAME.sql runs against a
# throwaway cluster that loads the freshly built plugin, and its output must equal
# tests/regress/expected/NAME.out. Any difference fails the run and is printed.
#
#   tests/regress/run.sh [NAME...]        (default: every file in sql/, in name order)
#
# Environment (set by ctest): PG_CONFIG, PGTRAIL_SOURCE_DIR, PGTRAIL_PLUGIN_DIR (holds
# pgtrail.so), PGTRAIL_BINARY_DIR (results go to its regress/ directory).
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
SOURCE_DIR=${PGTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:-$SOURCE_DIR/build/plugin-build}
OUTPUT_DIR=${PGTRAIL_BINARY_DIR:-$SOURCE_DIR/build}/regress
REGRESS_DIR=$SOURCE_DIR/tests/regress
PG_REGRESS=$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress

[ -f "$PLUGIN_DIR/pgtrail.so" ] || { echo "regress: no pgtrail.so in $PLUGIN_DIR" >&2; exit 1; }
[ -x "$PG_REGRESS" ] || { echo "regress: pg_regress not found at $PG_REGRESS" >&2; exit 1; }

# The test list: the arguments, or every sql/*.sql (as pgvector's Makefile derives REGRESS).
if [ $# -gt 0 ]; then
    tests=("$@")
else
    tests=()
    for file in "$REGRESS_DIR"/sql/*.sql; do tests+=("$(basename "$file" .sql)"); done
fi

# The plugin installed in the server's own $libdir (a package) is loaded from there.
plugin_args=(--plugin-dir "$PLUGIN_DIR")
if [ "$PLUGIN_DIR" = "$("$PG_CONFIG" --pkglibdir)" ]; then plugin_args=(); fi

CLUSTER_DIR=$(mktemp -d /tmp/pgtrail-regress.XXXXXX)
trap 'bash "$SOURCE_DIR/scripts/pg-cluster.sh" destroy "$CLUSTER_DIR"' EXIT
# Prepared transactions for two_phase.sql; no autovacuum, whose transactions (e.g. an
# auto-analyze) would show up as B/C pairs in skip_empty_xacts.sql.
PORT=$(PG_CONFIG=$PG_CONFIG bash "$SOURCE_DIR/scripts/pg-cluster.sh" start "$CLUSTER_DIR" "${plugin_args[@]+"${plugin_args[@]}"}" \
    --set "max_prepared_transactions = 10" --set "autovacuum = off")

# --use-existing leaves creating the database to us.
"$("$PG_CONFIG" --bindir)/createdb" -h 127.0.0.1 -p "$PORT" -U postgres pgtrail_regress

rm -rf "$OUTPUT_DIR"
mkdir -p "$OUTPUT_DIR"
start=$(date +%s)
status=0
"$PG_REGRESS" --use-existing --host=127.0.0.1 --port="$PORT" --user=postgres \
    --bindir="$("$PG_CONFIG" --bindir)" --inputdir="$REGRESS_DIR" --outputdir="$OUTPUT_DIR" \
    --dbname=pgtrail_regress "${tests[@]}" || status=$?
echo "regress: ${#tests[@]} tests in $(( $(date +%s) - start ))s"

if [ "$status" -ne 0 ]; then
    if [ -s "$OUTPUT_DIR/regression.diffs" ]; then cat "$OUTPUT_DIR/regression.diffs"; fi
    echo "regress: FAILED (results in $OUTPUT_DIR)" >&2
    exit 1
fi
