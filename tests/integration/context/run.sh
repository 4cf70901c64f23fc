#!/usr/bin/env bash
# Writes through node-postgres with Bemi's comment format, under (1) the trigger migration that
# @bemi-db/prisma's own CLI writes and (2) pgtrail's sql/context.sql, then checks each change's
# context against expected_*.txt.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${PGTRAIL_SOURCE_DIR:-$(cd "$HERE/../../.." && pwd)}
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:?set PGTRAIL_PLUGIN_DIR to the directory holding pgtrail.so}
BUILD=${PGTRAIL_BINARY_DIR:-$SRC/build}
BIN=$("${PG_CONFIG:-pg_config}" --bindir)
source "$HERE/../lib/sink.sh"

# Node.js, npm and the real Bemi package (from the npm registry), cached in the build dir.
ensure_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        [ "$(id -u)" = 0 ] || { echo "FAIL: node and npm are missing (apt-get install nodejs npm)"; exit 1; }
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
    NODE_DIR=$BUILD/npm-context
    if [ ! -d "$NODE_DIR/node_modules/@bemi-db/prisma" ] || [ ! -d "$NODE_DIR/node_modules/pg" ]; then
        mkdir -p "$NODE_DIR"
        if ! (cd "$NODE_DIR" && npm install --no-audit --no-fund --ignore-scripts --silent @bemi-db/prisma@1.1.0 pg@8 >/dev/null 2>&1); then
            echo "SKIP: the npm registry is unreachable, so @bemi-db/prisma cannot be installed"
            echo "context: 0 passed, 0 failed, 1 skipped"
            exit 0
        fi
    fi
}

# The migration exactly as the package's CLI writes it (npx bemi migration:create).
bemi_migration() {
    local dir=$WORK/prisma-app
    mkdir -p "$dir/prisma/migrations"
    (cd "$dir" && node "$NODE_DIR/node_modules/@bemi-db/prisma/dist/cli.js" migration:create >/dev/null)
    ls "$dir"/prisma/migrations/*_bemi/migration.sql
}

WORK=$(mktemp -d /tmp/pgtrail-context.XXXXXX)
chmod 755 "$WORK"
trap 'sink_stop; "$SRC/scripts/pg-cluster.sh" destroy "$WORK/cluster" || true; rm -rf "$WORK"' EXIT
ensure_node
PORT=$("$SRC/scripts/pg-cluster.sh" start "$WORK/cluster" --plugin-dir "$PLUGIN_DIR")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
psql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# One database per variant: tables, the triggers, then the writes; prints "op table key context".
run_variant() {
    local db=$1 triggers=$2 set_context=$3
    "$BIN/createdb" "$db"
    export PGDATABASE=$db
    psql -c "CREATE TABLE items (id int PRIMARY KEY, name text)" -c "CREATE TABLE others (id int PRIMARY KEY)"
    psql -c "ALTER TABLE items REPLICA IDENTITY FULL"
    psql -f "$triggers" >/dev/null 2>&1
    sink_start "$db"
    NODE_PATH=$NODE_DIR/node_modules SET_CONTEXT=$set_context node "$HERE/writes.js"
    sink_wait_caught_up "$db"
    sink_changes_summary "$db"
    sink_stop
}

status=0
check() {
    local name=$1 expected=$2 actual=$3
    if diff -u "$expected" "$actual"; then echo "ok: $name"; else echo "FAIL: $name"; status=1; fi
}

run_variant bemi "$(bemi_migration)" 0 > "$WORK/bemi.txt"
check "Bemi's own migration (from @bemi-db/prisma's CLI)" "$HERE/expected_bemi.txt" "$WORK/bemi.txt"
run_variant pgtrail "$SRC/sql/context.sql" 1 > "$WORK/pgtrail.txt"
check "pgtrail's sql/context.sql and set_context()" "$HERE/expected_pgtrail.txt" "$WORK/pgtrail.txt"

[ $status = 0 ] && echo "context: 2 passed, 0 failed" || echo "context: failed"
exit $status
