#!/usr/bin/env bash
# A message lost between JetStream and the writer (as nats.c drops messages for a slow consumer)
# must not be skipped: the consumer numbers its deliveries, the writer notices the one that never
# came, and its next session fetches again from its last commit. The loss is injected
# (PGTRAIL_TEST_DROP_DELIVERY=40: the writer process loses its 40th delivery, once); every change
# still arrives exactly once.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
nats_cluster_start 1
NATS_REPLICAS=1
run "CREATE TABLE t (id int PRIMARY KEY, note text)"
start_reader
wait_slot_active
# One message per source transaction: 100 transactions, the 40th delivery is lost once.
for i in $(seq 1 100); do echo "INSERT INTO t VALUES ($i, 'row $i');"; done | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
PGTRAIL_TEST_DROP_DELIVERY=40 start_writer main "$PORT"
pipeline_caught_up main
kill -0 "${WRITER_PIDS[main]}" 2>/dev/null || fail "the writer exited"
expect_eq "every change arrived once" "$(q "SELECT count(*) || ' ' || count(DISTINCT primary_key) FROM changes WHERE \"table\" = 't'")" "100 100"
grep -q 'of the consumer never arrived' "$WORK/writer-main.log" || fail "the lost delivery was not noticed"
no_duplicate_errors
stop_writer main
stop_reader
echo "ok"
