#!/usr/bin/env bash
# The sink notices what it did not see. A slot dropped while the sink was stopped (rows written
# meanwhile) and a destination pointed at another source cluster both make `run` refuse with what
# happened and what to do; --accept-gap goes on and records the gap's LSN range in pgtrail.gaps.
source "$(dirname "$0")/lib.sh"
start_cluster other --plugin-dir "$PLUGIN_DIR"
OTHER_PORT=$PORT
start_cluster src --plugin-dir "$PLUGIN_DIR"
SRC_PORT=$PORT
run "CREATE TABLE t (id int PRIMARY KEY)"
PGPORT=$OTHER_PORT run "CREATE TABLE t (id int PRIMARY KEY)"

# expect_refusal PATTERN [run options]: exits 1 within 30 s, logging PATTERN
expect_refusal() {
    local pattern=$1; shift
    local status=0
    timeout 30 "$PGTRAIL" run "$@" >"$WORK/refused.out" 2>&1 || status=$?
    [ "$status" = 1 ] || { cat "$WORK/refused.out" >&2; fail "expected exit status 1 for [$pattern], got $status"; }
    grep -qF -- "$pattern" "$WORK/refused.out" || { cat "$WORK/refused.out" >&2; fail "expected [$pattern]"; }
    grep -qF -- "--accept-gap" "$WORK/refused.out" || fail "the refusal does not name --accept-gap"
}

start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO t SELECT generate_series(1, 10)"
caught_up
stop_sink
expect_eq "source recorded" "$(q "SELECT system_identifier = (SELECT system_identifier::text FROM pg_control_system()) AND database = 'postgres' AND slot = 'pgtrail' AND slot_created_lsn IS NOT NULL FROM pgtrail.sources WHERE origin = 'pgtrail_pgtrail'")" t
PROGRESS=$(q "SELECT pg_replication_origin_progress('pgtrail_pgtrail', true)")

# 1. The slot is dropped while the sink is stopped, and rows are written meanwhile.
run "SELECT pg_drop_replication_slot('pgtrail')"
run "INSERT INTO t SELECT generate_series(11, 20)"
expect_refusal "replication slot pgtrail does not exist in database postgres although the destination holds changes from it up to $PROGRESS" \
    --source "$(SOURCE_CONN)"
expect_eq "no slot created by the refused run" "$(q "SELECT count(*) FROM pg_replication_slots")" 0

start_sink --accept-gap
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO t SELECT generate_series(21, 30)"
caught_up
stop_sink
grep -q "accepted a gap (--accept-gap)" "$WORK/sink.log" || fail "no warning about the accepted gap"
expect_eq "gap recorded" "$(q "SELECT count(*), bool_and(from_lsn = '$PROGRESS' AND to_lsn > from_lsn AND reason LIKE 'replication slot pgtrail does not exist%') FROM pgtrail.gaps")" "1|t"
expect_eq "rows after the gap arrived, none from inside it" \
    "$(q "SELECT count(*) FILTER (WHERE primary_key::int <= 10), count(*) FILTER (WHERE primary_key::int BETWEEN 11 AND 20), count(*) FILTER (WHERE primary_key::int > 20) FROM changes WHERE \"table\" = 't'")" "10|0|10"

# 2. A restart after an accepted gap is an ordinary one.
start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO t VALUES (31)"
caught_up
stop_sink
expect_eq "no bookkeeping rows tracked" "$(q "SELECT count(*) FROM changes WHERE schema = 'pgtrail'")" 0
expect_eq "one gap only" "$(q "SELECT count(*) FROM pgtrail.gaps")" 1

# 3. The same destination and slot name pointed at another cluster.
OTHER_CONN="host=127.0.0.1 port=$OTHER_PORT user=postgres dbname=postgres"
expect_refusal "but this source is database postgres of system $(PGPORT=$OTHER_PORT q "SELECT system_identifier FROM pg_control_system()")" \
    --source "$OTHER_CONN" --destination "$(SOURCE_CONN)"
"$PGTRAIL" run --source "$OTHER_CONN" --destination "$(SOURCE_CONN)" --accept-gap --log-level debug >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
PGPORT=$OTHER_PORT wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
PGPORT=$OTHER_PORT run "INSERT INTO t SELECT generate_series(1001, 1005)"
wait_for "SELECT count(*) FROM changes WHERE \"table\" = 't' AND primary_key::int > 1000" 5
stop_sink
expect_eq "second gap recorded for the other system" \
    "$(q "SELECT count(*) FROM pgtrail.gaps WHERE system_identifier = '$(PGPORT=$OTHER_PORT q "SELECT system_identifier FROM pg_control_system()")' AND reason LIKE 'the destination follows database postgres of source system %'")" 1
expect_eq "the destination now follows the other system" \
    "$(q "SELECT system_identifier FROM pgtrail.sources")" "$(PGPORT=$OTHER_PORT q "SELECT system_identifier FROM pg_control_system()")"

# 4. pgoutput, with progress in pgtrail.progress (a destination role without origin rights): the
#    same refusal, and --accept-gap moves the progress row.
run "CREATE DATABASE managed"
MANAGED_SRC="host=127.0.0.1 port=$SRC_PORT user=postgres dbname=managed"
MANAGED_DST="host=127.0.0.1 port=$SRC_PORT user=writer dbname=managed"
PGDATABASE=managed run "CREATE ROLE writer LOGIN; GRANT CREATE ON DATABASE managed TO writer; GRANT CREATE ON SCHEMA public TO writer;
    CREATE TABLE m (id int PRIMARY KEY);
    CREATE PUBLICATION pub FOR TABLE m"
PG_OPTS=(--source "$MANAGED_SRC" --destination "$MANAGED_DST" --slot managed --plugin pgoutput --publication pub)
"$PGTRAIL" run "${PG_OPTS[@]}" >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
PGDATABASE=managed wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'managed' AND active" 1
PGDATABASE=managed run "INSERT INTO m SELECT generate_series(1, 5)"
PGDATABASE=managed wait_for "SELECT count(*) FROM changes WHERE \"table\" = 'm'" 5
stop_sink
MANAGED_PROGRESS=$(PGDATABASE=managed q "SELECT lsn FROM pgtrail.progress WHERE origin = 'pgtrail_managed'")
[ -n "$MANAGED_PROGRESS" ] || fail "no progress row for the pgoutput sink"
run "SELECT pg_drop_replication_slot('managed')"
PGDATABASE=managed run "INSERT INTO m SELECT generate_series(6, 10)"
expect_refusal "replication slot managed does not exist in database managed although the destination holds changes from it up to $MANAGED_PROGRESS" \
    "${PG_OPTS[@]}"
"$PGTRAIL" run "${PG_OPTS[@]}" --accept-gap >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
PGDATABASE=managed wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'managed' AND active" 1
PGDATABASE=managed run "INSERT INTO m SELECT generate_series(11, 15)"
PGDATABASE=managed wait_for "SELECT count(*) FROM changes WHERE \"table\" = 'm'" 10
stop_sink
expect_eq "pgoutput gap recorded, progress moved past it" \
    "$(PGDATABASE=managed q "SELECT count(*), bool_and(g.from_lsn = '$MANAGED_PROGRESS' AND p.lsn >= g.to_lsn) FROM pgtrail.gaps g JOIN pgtrail.progress p USING (origin)")" "1|t"
expect_eq "pgoutput: rows inside the gap not recorded" "$(PGDATABASE=managed q "SELECT count(*) FROM changes WHERE \"table\" = 'm' AND primary_key::int BETWEEN 6 AND 10")" 0
echo "ok"
