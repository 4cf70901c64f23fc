# Shared by integration tests (source it after setting BIN, WORK, PGHOST/PGPORT/PGUSER):
# run the freshly built `pgtrail run` against one database and print what it wrote to
# `changes` as "op table key context" lines, in commit order.

PGTRAIL=${PGTRAIL_BINARY_DIR:?run through ctest}/sink/pgtrail
SINK_PID=""

# sink_start DB: a sink for DB with its own slot, logging to $WORK/sink-DB.log.
sink_start() {
    local db=$1
    [ -x "$PGTRAIL" ] || { echo "FAIL: $PGTRAIL is not built" >&2; exit 1; }
    "$PGTRAIL" run --source "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db" --slot "test_$db" \
        >>"$WORK/sink-$db.log" 2>&1 &
    SINK_PID=$!
    sink_wait_for "$db" "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'test_$db' AND active" 1
}

# sink_wait_for DB SQL EXPECTED: polls for 60 s.
sink_wait_for() {
    local db=$1 sql=$2 expected=$3 got=""
    for _ in $(seq 1 300); do
        got=$("$BIN/psql" -X -q -At -d "$db" -c "$sql" 2>/dev/null || true)
        [ "$got" = "$expected" ] && return 0
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "FAIL: waited for [$sql] = [$expected], got [$got]; sink log:" >&2
    tail -30 "$WORK/sink-$db.log" >&2
    exit 1
}

# sink_wait_caught_up DB: everything committed so far is in changes.
sink_wait_caught_up() {
    local db=$1 target
    target=$("$BIN/psql" -X -q -At -d "$db" -c "SELECT pg_current_wal_lsn()")
    sink_wait_for "$db" "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'test_$db'" t
}

sink_stop() {
    [ -n "$SINK_PID" ] || return 0
    kill -TERM "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=""
}

sink_changes_summary() {
    local db=$1
    "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "
        SELECT concat_ws(' ', CASE operation WHEN 'CREATE' THEN 'I' WHEN 'UPDATE' THEN 'U'
                                             WHEN 'DELETE' THEN 'D' WHEN 'TRUNCATE' THEN 'T' END,
                         \"table\", coalesce(primary_key, ''), context)
        FROM changes ORDER BY commit_lsn, ordinal"
}
