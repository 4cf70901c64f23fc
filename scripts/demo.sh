#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, starts a throwaway
# PostgreSQL 15 cluster with the pgtrail plugin, runs `pgtrail run` against it, makes a
# few changes with context and prints the resulting changes rows. Then it keeps running,
# printing the connection string, so you can make your own changes and watch them arrive;
# Ctrl-C stops everything and removes the cluster.
#
#   bash scripts/demo.sh            (as root on Debian 12)
#   bash scripts/demo.sh --once     print the rows, clean up and exit (non-interactive checks)
# Environment: PGTRAIL_BUILD_DIR (default build), PGTRAIL_DEMO_ONCE=1 (same as --once),
# PGTRAIL_DEMO_SKIP_BUILD=1 (use an existing build: the ctest check does).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ONCE=${PGTRAIL_DEMO_ONCE:-0}
[ "${1:-}" = "--once" ] && ONCE=1
BUILD=${PGTRAIL_BUILD_DIR:-build}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

if [ "${PGTRAIL_DEMO_SKIP_BUILD:-0}" != 1 ]; then
    say "Installing what is missing"
    bash scripts/install-deps.sh
    say "Building (cmake, $BUILD)"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target plugin pgtrail >/dev/null
fi
PGTRAIL=$BUILD/sink/pgtrail
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:-$BUILD/plugin-build}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

WORK=$(mktemp -d /tmp/pgtrail-demo.XXXXXX)
chmod 755 "$WORK"
SINK_PID=""
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$SINK_PID" ] && kill -0 "$SINK_PID" 2>/dev/null; then
        kill -TERM "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
    fi
    bash "$ROOT/scripts/pg-cluster.sh" destroy "$WORK/cluster" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    echo "demo: stopped pgtrail, removed the cluster"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

say "Starting a throwaway PostgreSQL 15 cluster (wal_level=logical, pgtrail plugin allowed)"
PORT=$(bash scripts/pg-cluster.sh start "$WORK/cluster" --plugin-dir "$PLUGIN_DIR")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
CONN="postgresql://postgres@127.0.0.1:$PORT/postgres"
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

say "Creating a sample table"
sql -c "CREATE TABLE todo (id serial PRIMARY KEY, task text NOT NULL, done bool NOT NULL DEFAULT false, tags text[]);
        ALTER TABLE todo REPLICA IDENTITY FULL;"

say "Running: pgtrail run --source '$CONN'  (log: $WORK/pgtrail.log)"
"$PGTRAIL" run --source "$CONN" >"$WORK/pgtrail.log" 2>&1 &
SINK_PID=$!
sink_alive() {
    kill -0 "$SINK_PID" 2>/dev/null && return 0
    echo "demo: pgtrail stopped; its log:" >&2
    cat "$WORK/pgtrail.log" >&2
    exit 1
}
for _ in $(seq 1 100); do
    sink_alive
    [ "$(psql -X -At -c "SELECT count(*) FROM pg_replication_slots WHERE active")" = 1 ] && break
    sleep 0.1
done
cat "$WORK/pgtrail.log"

say "Making changes, each after a _bemi context message (as Bemi's triggers do)"
sql <<'SQL'
BEGIN;
SELECT pg_logical_emit_message(true, '_bemi', '{"user_id": 1, "endpoint": "POST /todos", "request_id": "a1"}') \gset
INSERT INTO todo (task, tags) VALUES ('write the docs', '{docs}'), ('ship it', '{release}');
COMMIT;
BEGIN;
SELECT pg_logical_emit_message(true, '_bemi', '{"user_id": 2, "endpoint": "PATCH /todos/1", "request_id": "b2"}') \gset
UPDATE todo SET done = true WHERE id = 1;
COMMIT;
BEGIN;
SELECT pg_logical_emit_message(true, '_bemi', '{"user_id": 1, "endpoint": "DELETE /todos/2", "request_id": "c3"}') \gset
DELETE FROM todo WHERE id = 2;
COMMIT;
SQL
for _ in $(seq 1 100); do
    sink_alive
    [ "$(psql -X -At -c "SELECT count(*) FROM changes")" -ge 4 ] && break
    sleep 0.1
done

say "The changes table"
sql -c "SELECT operation, \"table\", primary_key, before, after, context, committed_at, transaction_id
        FROM changes ORDER BY commit_lsn, ordinal"

if [ "$ONCE" = 1 ]; then
    [ "$(psql -X -At -c "SELECT count(*) FROM changes")" = 4 ] || { echo "demo: expected 4 changes" >&2; exit 1; }
    exit 0
fi

say "pgtrail is running. Make your own changes and watch them arrive:"
cat <<EOF2
    psql '$CONN'
    -- e.g.  BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{"user_id": 7}');
    --       UPDATE todo SET task = 'mine' WHERE id = 1; COMMIT;
    --       SELECT operation, primary_key, after, context FROM changes ORDER BY created_at DESC LIMIT 5;
    pgtrail log: $WORK/pgtrail.log
Press Ctrl-C to stop pgtrail and remove the cluster.
EOF2
status=0
wait "$SINK_PID" || status=$?
[ "$status" = 0 ] && exit 0   # pgtrail got the Ctrl-C too and stopped cleanly
echo "demo: pgtrail exited with status $status; its log:" >&2
tail -20 "$WORK/pgtrail.log" >&2
exit 1
