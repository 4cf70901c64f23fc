#!/usr/bin/env bash
# Time travel and reversion (issue 5), end to end on a throwaway cluster:
#   random workload over many types, the state of every table captured after each transaction;
#   table_as_of / row_as_of at random captured instants equal the captures;
#   revert of a request's transactions, of a rich transaction and of a TRUNCATE restores the earlier state exactly;
#   revert refuses when a later change touched the same row, unless force => true.
# Changes reach the changes table through the real sink (`pgtrail run`) when it is built and works,
# else through tests/integration/time_travel/feed_changes.sql (TT_FEEDER=sql forces that).
# Env: PGTRAIL_SOURCE_DIR, PGTRAIL_PLUGIN_DIR, PGTRAIL_BINARY_DIR, PG_CONFIG; TT_SEED, TT_STEPS optional.
set -euo pipefail

SRC=${PGTRAIL_SOURCE_DIR:?}
HERE=$SRC/tests/integration/time_travel
PLUGIN_DIR=${PGTRAIL_PLUGIN_DIR:?}
SINK=${PGTRAIL_BINARY_DIR:-}/sink/pgtrail
SEED=${TT_SEED:-$RANDOM}
STEPS=${TT_STEPS:-120}
export PG_CONFIG=${PG_CONFIG:-pg_config}
BIN=$("$PG_CONFIG" --bindir)

# The plugin is found by dynamic_library_path; fall back to an in-tree PGXS build if the build dir has none.
if [ ! -e "$PLUGIN_DIR/pgtrail.so" ] && [ -e "$SRC/pgtrail.so" ]; then
    echo "time_travel: no pgtrail.so in $PLUGIN_DIR, using $SRC/pgtrail.so"
    PLUGIN_DIR=$SRC
fi
[ -e "$PLUGIN_DIR/pgtrail.so" ] || { echo "time_travel: no pgtrail.so in $PLUGIN_DIR (build the plugin target)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pgtrail-time-travel.XXXXXX)
chmod 755 "$WORK"  # the cluster runs as an unprivileged user
SINK_PID=
cleanup() {
    if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; fi
    "$SRC/scripts/pg-cluster.sh" destroy "$WORK/cluster" || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$("$SRC/scripts/pg-cluster.sh" start "$WORK/cluster" --plugin-dir "$PLUGIN_DIR")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
psql_run() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
say() { echo "time_travel [${SECONDS}s]: $*"; }
say "seed $SEED, $STEPS workload transactions, port $PORT"

use_sink() {
    [ "${TT_FEEDER:-}" != sql ] && [ -x "$SINK" ] && "$SINK" run --help >/dev/null 2>&1
}

# Starts whatever fills the changes table; creates the slot.
start_changes_feed() {
    if use_sink; then
        say "changes arrive through $SINK run"
        "$SINK" run --source "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" \
            --slot pgtrail --publication tt_pub >"$WORK/sink.log" 2>&1 &
        SINK_PID=$!
        for _ in $(seq 1 100); do
            [ "$(psql_run -tAc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" = 1 ] && return
            sleep 0.1
        done
        cat "$WORK/sink.log" >&2
        echo "time_travel: pgtrail run created no slot" >&2
        exit 1
    else
        say "changes arrive through feed_changes.sql (TT_FEEDER=sql, or no working $SINK)"
        psql_run -c "SELECT pg_create_logical_replication_slot('pgtrail', 'pgtrail')" >/dev/null
    fi
}

# Returns once every committed change so far is in the changes table.
fill_changes() {
    if [ -n "$SINK_PID" ]; then
        local target
        target=$(psql_run -tAc "SELECT pg_current_wal_lsn()")
        for _ in $(seq 1 300); do
            [ "$(psql_run -tAc "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots
                                WHERE slot_name = 'pgtrail'")" = t ] && return
            kill -0 "$SINK_PID" 2>/dev/null || break
            sleep 0.1
        done
        cat "$WORK/sink.log" >&2
        echo "time_travel: the sink did not catch up with $target" >&2
        exit 1
    else
        psql_run -c "CALL tt_feed_changes('pgtrail', 'tt_pub')"
    fi
}

# Runs SQL that must fail with an error containing $1.
expect_error() {
    local needle=$1 out; shift
    if out=$(psql_run "$@" 2>&1); then
        echo "time_travel: expected an error containing '$needle', but it succeeded: $out" >&2
        exit 1
    fi
    if ! grep -qF -- "$needle" <<<"$out"; then
        echo "time_travel: expected an error containing '$needle', got: $out" >&2
        exit 1
    fi
    say "refused as expected: $(grep -m1 ERROR <<<"$out")"
}

psql_run -f "$SRC/sql/changes.sql" -f "$SRC/sql/pgtrail_base.sql" -f "$SRC/sql/time_travel.sql" \
    -f "$SRC/sql/revert.sql" -f "$HERE/feed_changes.sql" -f "$HERE/workload.sql" -f "$HERE/checks.sql" 2>&1 \
    | { grep -v 'already exists, skipping' || true; }
# Installing twice is harmless.
psql_run -f "$SRC/sql/pgtrail_base.sql" -f "$SRC/sql/time_travel.sql" -f "$SRC/sql/revert.sql" 2>&1 \
    | { grep -v 'already exists, skipping' || true; }

# Rows that exist before tracking starts, then the baseline (SNAPSHOT rows) once the slot exists.
psql_run -o /dev/null -c "SELECT setseed($SEED::float / 32768)" -c "CALL tt_workload(-5, -1, 1000000)"
start_changes_feed
psql_run -c "CALL tt_snapshot('pgtrail', tt_tables())" -c "CALL tt_capture(0, NULL)"

# The workload: random transactions, a COPY (multi-insert records) in the middle, a final request of 3.
half=$((STEPS / 2))
final_from=$((STEPS - 2))
psql_run -o /dev/null -c "SELECT setseed($SEED::float / 32768 / 2)" -c "CALL tt_workload(1, $half, $final_from)"
psql_run -c "\\copy \"Tt Schema\".\"Order Items\" (\"Qty\", \"Label\") FROM PROGRAM 'seq 1 300 | sed \"s/\$/\\tcopied/\"'" \
    -c "CALL tt_capture($((half + 1)), NULL)"
psql_run -o /dev/null -c "SELECT setseed($SEED::float / 32768 / 3)" -c "CALL tt_workload($((half + 2)), $STEPS, $final_from)"
fill_changes
psql_run -tAc "SELECT 'changes: ' || string_agg(operation || ' ' || n, ', ') FROM
               (SELECT operation, count(*) n FROM changes GROUP BY 1 ORDER BY 1) s"
psql_run -tAc "SELECT format('of which: %s UPDATEs with unchanged TOAST columns, %s key changes, %s with context',
                      count(*) FILTER (WHERE unchanged IS NOT NULL),
                      count(*) FILTER (WHERE operation = 'UPDATE' AND before IS NOT NULL
                                       AND pgtrail.key_of(pgtrail.key_columns(format('%I.%I', schema, \"table\")::regclass), before)
                                           IS DISTINCT FROM pgtrail.normalize_key(primary_key,
                                               cardinality(pgtrail.key_columns(format('%I.%I', schema, \"table\")::regclass)) > 1)),
                      count(*) FILTER (WHERE context <> '{}')) FROM changes"
say "checking time travel"
psql_run -c "CALL tt_check_time_travel(40, 8)"

# History of one row through insert, update, key change and delete.
psql_run -c "INSERT INTO \"Tt Schema\".\"Order Items\" VALUES (900001, 1, 'h')" \
    -c "UPDATE \"Tt Schema\".\"Order Items\" SET \"Qty\" = 2 WHERE \"Item Id\" = 900001" \
    -c "UPDATE \"Tt Schema\".\"Order Items\" SET \"Item Id\" = 900002 WHERE \"Item Id\" = 900001" \
    -c "DELETE FROM \"Tt Schema\".\"Order Items\" WHERE \"Item Id\" = 900002"
fill_changes
got=$(psql_run -tA -F' ' -c "SELECT operation, diff FROM pgtrail.history('\"Tt Schema\".\"Order Items\"', '900001')
                              UNION ALL SELECT '--', NULL
                              UNION ALL SELECT operation, diff FROM pgtrail.history('\"Tt Schema\".\"Order Items\"', '900002')")
want='CREATE {"Qty": [null, 1], "Label": [null, "h"], "Item Id": [null, 900001]}
UPDATE {"Qty": [1, 2]}
UPDATE {"Item Id": [900001, 900002]}
-- 
UPDATE {"Item Id": [900001, 900002]}
DELETE {"Qty": [2, null], "Label": ["h", null], "Item Id": [900002, null]}'
if [ "$got" != "$want" ]; then
    printf 'time_travel: history differs\n--- want\n%s\n--- got\n%s\n' "$want" "$got" >&2
    exit 1
fi
say "history of a row through insert, update, key change and delete is right"

# Revert the final request (3 transactions) by context: back to the state before it.
psql_run -c "SELECT count(*) AS statements FROM pgtrail.revert_sql_where('{\"request_id\": \"req-final\"}')" \
    -c "SELECT count(*) AS applied FROM pgtrail.revert_where('{\"request_id\": \"req-final\"}')"
psql_run -c "CALL tt_check_state_is($((final_from - 1)), 'revert_where(request req-final)')"
fill_changes
psql_run -tAc "SELECT 'revert changes carry context ' || context::text FROM changes
               WHERE context ? 'pgtrail_revert' LIMIT 1"

# Revert one transaction touching every table every way.
psql_run -c "CALL tt_capture(1001, NULL)"
xid=$(psql_run -tA -c "BEGIN" -c "CALL tt_rich_transaction()" -c "SELECT txid_current()" -c "COMMIT" | head -1)
fill_changes
psql_run -tA -c "SELECT pgtrail.revert_sql($xid)" | cut -c1-160
psql_run -c "SELECT count(*) AS applied FROM pgtrail.revert($xid)"
psql_run -c "CALL tt_check_state_is(1001, 'revert(rich transaction $xid)')"

# Revert a TRUNCATE (rows come back as of just before it) together with an insert after it.
psql_run -c "CALL tt_capture(1002, NULL)"
xid=$(psql_run -tA -c "BEGIN" -c "TRUNCATE tt_comp, \"Tt Schema\".\"Order Items\"" \
          -c "INSERT INTO tt_comp VALUES ('after truncate', 1, 1, NULL)" -c "SELECT txid_current()" -c "COMMIT" | head -1)
fill_changes
psql_run -c "SELECT count(*) AS applied FROM pgtrail.revert($xid)"
psql_run -c "CALL tt_check_state_is(1002, 'revert(truncate transaction $xid)')"

# A later change to the same row: revert refuses, names the row, changes nothing; force reverts anyway.
fill_changes
key=$(psql_run -tAc "INSERT INTO tt_toast VALUES (nextval('tt_keys'), tt_big(5), 0, 'conflict') RETURNING id" | head -1)
xid=$(psql_run -tA -c "BEGIN" -c "UPDATE tt_toast SET counter = counter + 1 WHERE id = $key" \
          -c "SELECT txid_current()" -c "COMMIT" | head -1)
psql_run -c "UPDATE tt_toast SET note = 'later' WHERE id = $key"
fill_changes
psql_run -c "CALL tt_capture(1003, NULL)"
expect_error "row with key $key of public.tt_toast was changed later" -c "SELECT pgtrail.revert($xid)"
psql_run -c "CALL tt_check_state_is(1003, 'after the refused revert')"
psql_run -c "SELECT count(*) AS applied FROM pgtrail.revert($xid, force => true)"
[ "$(psql_run -tAc "SELECT note FROM tt_toast WHERE id = $key")" = later ] \
    || { echo "time_travel: forced revert touched a column the reverted transaction did not change" >&2; exit 1; }

# The reverts are changes too: time travel still matches the present.
fill_changes
psql_run -c "CALL tt_check_present('after the reverts')"
# diff(): changed columns only; a missing image means every column changed; numeric scale counts.
got=$(psql_run -tA -c "SELECT pgtrail.diff('{\"a\": 1, \"b\": [1, 2], \"c\": 1.0}', '{\"a\": 1, \"b\": [2], \"c\": 1.00, \"d\": 4}')
                       || pgtrail.diff(NULL, '{\"x\": null}') || pgtrail.diff('{\"y\": \"v\"}', NULL)
                       || pgtrail.diff(NULL, NULL)")
[ "$got" = '{"b": [[1, 2], [2]], "c": [1.0, 1.00], "x": [null, null], "y": ["v", null]}' ] \
    || { echo "time_travel: diff() gave $got" >&2; exit 1; }

# The changes table comes from the setting pgtrail.changes_table.
psql_run -c "CREATE SCHEMA audit" -c "CREATE TABLE audit.trail (LIKE changes INCLUDING ALL)" \
    -c "CREATE TABLE audit.empty (LIKE changes INCLUDING ALL)" -c "INSERT INTO audit.trail SELECT * FROM changes"
psql_run -c "SET pgtrail.changes_table = 'audit.trail'" -c "CALL tt_check_present('pgtrail.changes_table = audit.trail')"
[ "$(psql_run -tAc "SET pgtrail.changes_table = 'audit.empty'" \
        -tAc "SELECT count(*) FROM pgtrail.table_as_of('tt_types', now())")" = 0 ] \
    || { echo "time_travel: pgtrail.changes_table = audit.empty still finds rows" >&2; exit 1; }
expect_error "must be a non-empty JSON object" -c "SELECT pgtrail.revert_sql_where('{}')"
expect_error "not a JSON array of 2 values" -c "SELECT pgtrail.row_as_of('tt_comp', 'eu', now())"
say "ok"
