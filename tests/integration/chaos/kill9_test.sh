#!/usr/bin/env bash
# SIGKILL the sink 20 times during a 100k-change mixed workload (PGTRAIL_CHAOS_CHANGES
# scales it; PGTRAIL_CHAOS_KILLS sets the kills). The kills cycle through four aims:
#   copy    the writer is inside its COPY (pg_stat_activity: query 'BEGIN; COPY ...')
#   commit  between COPY and COMMIT: a deferred trigger on changes sleeps at commit time,
#           after the COPY ended and the origin position was set (wait_event PgSleep)
#   after   right after a COMMIT, before the status update (the sink's debug line
#           "committed N changes ...")
#   random  a random moment
# Then the replay oracle: nothing lost, nothing duplicated, every table equal.
# PGTRAIL_TEST_PLUGIN=pgoutput runs it through PostgreSQL's pgoutput (integration.chaos.kill9_test.pgoutput).
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
CHANGES=${PGTRAIL_CHAOS_CHANGES:-100000}
KILLS=${PGTRAIL_CHAOS_KILLS:-20}
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
oracle_workload_install
use_test_plugin
# Small batches: rows stream into the open batch as they are read, so kills land inside
# half-read transactions too.
OPTS=("${ORACLE_SINK_OPTS[@]}" "${PLUGIN_OPTS[@]}" --batch-size 2000 --batch-time-ms 100 --max-backoff 1)
start_sink "${OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
wait_for "SELECT to_regclass('changes') IS NOT NULL" t
# Sleeps once per destination transaction at COMMIT (after COPY and origin setup).
run "CREATE FUNCTION chaos_commit_pause() RETURNS trigger LANGUAGE plpgsql AS \$\$
     BEGIN
         IF current_setting('chaos.paused', true) IS DISTINCT FROM txid_current()::text THEN
             PERFORM set_config('chaos.paused', txid_current()::text, true);
             PERFORM pg_sleep(0.15);
         END IF;
         RETURN NULL;
     END \$\$;
     CREATE CONSTRAINT TRIGGER chaos_commit_pause AFTER INSERT ON changes DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION chaos_commit_pause()"

# Spread the workload over about 1.2 s per kill, so every kill lands while it runs.
ORACLE_CHUNK=$((CHANGES / 10 / KILLS / 2 + 1)) ORACLE_PAUSE=0.5 oracle_workload $((CHANGES / 10)) 0.42 &
WORKLOAD_PID=$!

writer_in() {  # writer_in SQL-CONDITION: true once the sink's writer backend matches
    local got
    for _ in $(seq 1 400); do
        got=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgtrail writer pgtrail' AND backend_type = 'client backend' AND $1" 2>/dev/null || echo 0)
        [ "$got" -gt 0 ] && return 0
        sleep 0.02
    done
    return 1
}
after_commit() {  # a new "committed" line in the log
    local before=$(grep -c "committed .* changes of" "$WORK/sink.log" || true)
    for _ in $(seq 1 1000); do
        [ "$(grep -c "committed .* changes of" "$WORK/sink.log" || true)" -gt "$before" ] && return 0
        sleep 0.01
    done
    return 1
}

declare -A aimed missed
for i in $(seq 1 "$KILLS"); do
    sleep "0.$((RANDOM % 5 + 3))"  # let the restarted sink reconnect and get going
    case $((i % 4)) in
        1) aim=copy;   writer_in "query LIKE 'BEGIN; COPY%' AND state = 'active'" || aim="copy(missed)" ;;
        2) aim=commit; writer_in "wait_event = 'PgSleep'" || aim="commit(missed)" ;;
        3) aim=after;  after_commit || aim="after(missed)" ;;
        0) aim=random; sleep "0.$((RANDOM % 10))" ;;
    esac
    kill9_sink
    aimed[$aim]=$(( ${aimed[$aim]:-0} + 1 ))
    echo "kill $i ($aim), workload $(kill -0 $WORKLOAD_PID 2>/dev/null && echo running || echo done)" | tee -a "$WORK/sink.log"
    start_sink "${OPTS[@]}"
done
wait "$WORKLOAD_PID" || fail "workload failed"
caught_up 300
stop_sink
run "DROP TRIGGER chaos_commit_pause ON changes"
echo "kills by aim: $(for k in "${!aimed[@]}"; do printf '%s=%s ' "$k" "${aimed[$k]}"; done)"
echo "reconnects after kills: $(grep -c 'reconnecting in' "$WORK/sink.log" || true)"
oracle_check
echo "ok"
