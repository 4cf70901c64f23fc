#!/usr/bin/env bash
# A batch the destination refuses while its rows are still being sent (issue 15): a json value
# jsonb cannot hold, first in a transaction of some 20 MB, so the destination ends the COPY with
# its error long before the sink has sent the rest. The up-front number check is off
# (PGTRAIL_TEST_SKIP_NUMBER_CHECK=1), so the value reaches the destination. The error must be read
# with its SQLSTATE (the batch is then replayed change by change and the value stored as its text),
# never taken from the connection's error text, whose CONTEXT quotes the row: the log, the
# "reconnecting" line included, holds no value; the refused change is logged once.
source "$(dirname "$0")/../sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE j (id int PRIMARY KEY, doc json, note text); ALTER TABLE j REPLICA IDENTITY FULL"
PGTRAIL_TEST_SKIP_NUMBER_CHECK=1 start_sink --batch-time-ms 200
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "BEGIN;
     INSERT INTO j VALUES (1, '{\"a\":1e140000,\"s\":\"s3cr3t\"}', 'poison');
     INSERT INTO j SELECT i, '{\"n\":1}', repeat('s3cr3t', 170) FROM generate_series(2, 20000) i;
     COMMIT"
run "INSERT INTO j VALUES (20001, '{\"last\":true}', 'the row after')"
caught_up 180
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited"
expect_eq "every row arrived" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'j'")" 20001
expect_eq "the poison row is stored as its text and flagged" \
    "$(q "SELECT lossy::text || ' ' || (after->>'doc') FROM changes WHERE primary_key = '1'")" '{doc} {"a":1e140000,"s":"s3cr3t"}'
grep -q 's3cr3t\|1e140000' "$WORK/sink.log" && fail "the sink log holds a value: $(grep -m1 's3cr3t\|1e140000' "$WORK/sink.log" | cut -c1-300)"
grep -q 'CONTEXT' "$WORK/sink.log" && fail "the sink log holds a server error's CONTEXT"
grep -q 'SQLSTATE 22003.*reconnecting' "$WORK/sink.log" || fail "the reconnecting line does not name the SQLSTATE"
LSN_TEXT=$(q "SELECT upper(to_hex(position >> 32)) || '/' || upper(to_hex(position & 4294967295)) FROM changes WHERE primary_key = '1'")
expect_eq "the refused change at $LSN_TEXT is logged once" "$(grep -c "public\.j at $LSN_TEXT " "$WORK/sink.log" || true)" 1
stop_sink
echo "ok"
