#!/usr/bin/env bash
# The destination is the source and synchronous_standby_names names the sink's walsender
# ('pgtrail', then '*'): a COMMIT there waits until the walsender reports it flushed, and the sink
# confirms a batch only after its COMMIT returned. The writer must not wait for itself (it commits
# with synchronous_commit = local); application commits then wait for pgtrail and are released.
# check names the situation.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE t (id int PRIMARY KEY, note text)"
start_sink --plugin pgtrail --status-interval 1
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO t VALUES (0, 'before')"
caught_up

n=0
for names in "pgtrail" "*"; do
    run "ALTER SYSTEM SET synchronous_standby_names = '$names'"
    run "SELECT pg_reload_conf()"
    wait_for "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pgtrail' AND sync_state = 'sync'" 1 30

    # The test's own commit does not wait; the sink's writer must record it.
    n=$((n + 1))
    psql -X -q -v ON_ERROR_STOP=1 -c "SET synchronous_commit = local; INSERT INTO t VALUES ($n, 'local $names')" >/dev/null
    for _ in $(seq 1 100); do
        [ "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't' AND primary_key = '$n'")" = 1 ] && break
        sleep 0.2
    done
    if [ "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't' AND primary_key = '$n'")" != 1 ]; then
        fail "synchronous_standby_names = '$names': row $n not recorded after 20 s; writer waits on: $(q "SELECT wait_event FROM pg_stat_activity WHERE application_name = 'pgtrail writer pgtrail'")"
    fi

    # An application's commit waits for pgtrail as a synchronous standby, and is released.
    n=$((n + 1))
    timeout 30 psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO t VALUES ($n, 'sync $names')" >/dev/null ||
        fail "synchronous_standby_names = '$names': an application commit was not released in 30 s"
    expect_eq "row $n recorded" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't' AND primary_key = '$n'")" 1

    status=0
    PGOPTIONS="-c synchronous_commit=local" "$PGTRAIL" check --source "$(SOURCE_CONN)" --slot chk >"$WORK/check.out" 2>&1 || status=$?
    grep "synchronous standby" "$WORK/check.out" | grep -q "names the sink's walsender" ||
        fail "check does not explain synchronous_standby_names = '$names': $(cat "$WORK/check.out")"
done
stop_sink
run "ALTER SYSTEM RESET synchronous_standby_names"
run "SELECT pg_reload_conf()"
expect_eq "every row once" "$(q "SELECT count(*), count(DISTINCT primary_key) FROM changes WHERE \"table\" = 't'")" "$((n + 1))|$((n + 1))"
echo "ok"
