#!/usr/bin/env bash
# A batch the destination refuses for its data, through JetStream: a json value jsonb cannot
# hold (1e140000) in the middle of a transaction, published as it is (the reader's up-front
# number check off: PGTRAIL_TEST_SKIP_NUMBER_CHECK=1). The writer replays the refused batch change
# by change (ChangeWriter's careful mode, as `run` does): the value is stored as its text and
# listed in lossy, every other change arrives once, the writer goes back to COPY after it, and
# its log names no value.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
nats_cluster_start 1
NATS_REPLICAS=1
run "CREATE TABLE j (id int PRIMARY KEY, doc json, note text)"
PGTRAIL_TEST_SKIP_NUMBER_CHECK=1 start_reader  # the value reaches the destination, as from an older reader
wait_slot_active
start_writer main "$PORT"
run "BEGIN;
     INSERT INTO j SELECT i, '{\"n\":1}', 'before' FROM generate_series(1, 300) i;
     INSERT INTO j VALUES (301, '{\"a\":1e140000,\"s\":\"s3cr3t\"}', 'poison');
     INSERT INTO j SELECT i, '{\"n\":1}', 'after' FROM generate_series(302, 600) i;
     COMMIT"
run "INSERT INTO j VALUES (601, '{\"last\":true}', 'the row after')"
pipeline_caught_up main
kill -0 "${WRITER_PIDS[main]}" 2>/dev/null || fail "the writer exited"
expect_eq "every change arrived once" "$(q "SELECT count(*) || ' ' || count(DISTINCT primary_key) FROM changes WHERE \"table\" = 'j'")" "601 601"
expect_eq "the poison row is stored as its text and flagged" \
    "$(q "SELECT lossy::text || ' ' || (after->>'doc') FROM changes WHERE \"table\" = 'j' AND primary_key = '301'")" '{doc} {"a":1e140000,"s":"s3cr3t"}'
expect_eq "no other row flagged" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'j' AND cardinality(lossy) > 0")" 1
grep -q 'SQLSTATE 22003.*reconnecting' "$WORK/writer-main.log" || fail "the refusal is not logged with its SQLSTATE"
grep -q 'writing change by change up to stream sequence' "$WORK/writer-main.log" || fail "no replay logged"
grep -q 'writing with COPY again' "$WORK/writer-main.log" || fail "the writer did not go back to COPY"
grep -q 's3cr3t\|1e140000' "$WORK/writer-main.log" && fail "the writer's log holds a value"
no_duplicate_errors
stop_writer main
stop_reader
echo "ok"
