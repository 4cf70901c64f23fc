#!/usr/bin/env bash
# Poison rows (issue 15): changes the destination cannot store as given, mixed into normal
# traffic, must never stop the trail. json values whose numbers jsonb cannot hold
# (1e140000: weight over numeric's limit; 1e-20000: scale over it) inserted alone, inside
# transactions with normal rows, updated and deleted under REPLICA IDENTITY FULL (so before
# and after both hold them); and a 2^28-byte text (over jsonb's 2^28 - 1 bytes: the pgtrail
# plugin writes a placeholder and lists it in "lossy", pgoutput sends it whole and the sink
# must store it as a placeholder itself). Every change must arrive, each poison change with
# lossy = its columns and the refused json kept as its text; the log names table and LSN but
# no value; the metrics count them; then the replay oracle (which compares lossy columns by
# their faithful form; the 256 MB table is checked by the assertions, not by the oracle, whose
# conversions of such a value take minutes). PGTRAIL_TEST_PLUGIN=pgoutput runs it through pgoutput
# (integration.hostile.poison_test.pgoutput; there the 256 MB value reaches the destination whole
# and is refused, so the batch is replayed change by change). PGTRAIL_TEST_SKIP_NUMBER_CHECK=1
# turns off the sink's up-front check for numbers jsonb cannot hold, so every poison json reaches
# the destination and is found by that replay (integration.hostile.poison_test.replay).
# PGTRAIL_POISON_BIG=0 leaves out the 256 MB value.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
BIG=${PGTRAIL_POISON_BIG:-1}
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
oracle_workload_install
use_test_plugin
run "CREATE TABLE j (id int PRIMARY KEY, doc json, note text);
     ALTER TABLE j REPLICA IDENTITY FULL;
     CREATE TABLE big (id int PRIMARY KEY, v text);
     ALTER TABLE big ALTER COLUMN v SET COMPRESSION lz4;
     SELECT oracle.track('j');
     UPDATE oracle.tracked SET poison = true WHERE relid = 'j'::regclass"
start_sink "${PLUGIN_OPTS[@]}" "${ORACLE_SINK_OPTS[@]}" --batch-time-ms 200 --metrics-listen 127.0.0.1:0
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

POISON=('{"a":1e140000}' '{"a":[1,-1e-20000]}' '{"deep":{"n":1e131072,"ok":"yes"}}')
LOSSY=0
for round in 0 1 2; do
    oracle_workload 60 "0.$((round + 1))"
    p=${POISON[$round]}
    i=$((round * 10 + 10))
    run "INSERT INTO j VALUES ($i, '$p', 'alone')"                                            # a poison row alone
    run "BEGIN; INSERT INTO j VALUES ($((i + 1)), '{\"ok\":1e5}', 'n');
         INSERT INTO j VALUES ($((i + 2)), '$p', 'among normal rows');
         INSERT INTO j VALUES ($((i + 3)), '[2, {\"x\": null}]', 'n');
         INSERT INTO j VALUES ($((i + 4)), '{\"s\":\"\\ud800\"}', 'lone surrogate'); COMMIT"   # poison rows among normal ones
    oracle_workload 20 "0.$((round + 4))"
    run "UPDATE j SET note = 'updated' WHERE id = $i"                                       # before and after poison
    run "UPDATE j SET doc = '{\"fixed\":true}' WHERE id = $((i + 2))"                         # before poison only
    run "DELETE FROM j WHERE id = $i"                                                        # before poison
    LOSSY=$((LOSSY + 6))
done
if [ "$BIG" = 1 ]; then
    run "INSERT INTO big VALUES (1, repeat('x', 268435456))"                                 # over jsonb's 2^28 - 1 bytes
    run "INSERT INTO big VALUES (2, 'normal')"
    LOSSY=$((LOSSY + 1))
fi
oracle_workload 60 0.9
run "INSERT INTO j VALUES (1000, '{\"last\":true}', 'the row after')"
caught_up 180
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited"

expect_eq "the row after the poison rows arrived" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'j' AND primary_key = '1000'")" 1
expect_eq "every poison change is flagged lossy with its column" \
    "$(q "SELECT count(*) FROM changes WHERE lossy IS NOT NULL")" "$LOSSY"
expect_eq "j: 18 changes with lossy {doc}, 7 without" \
    "$(q "SELECT count(*) FILTER (WHERE lossy = '{doc}') || ' ' || count(*) FILTER (WHERE lossy IS NULL) FROM changes WHERE \"table\" = 'j'")" "18 7"
expect_eq "a refused json is stored as its text" \
    "$(q "SELECT after->>'doc' FROM changes WHERE \"table\" = 'j' AND primary_key = '10' AND operation = 'CREATE'")" '{"a":1e140000}'
expect_eq "under FULL, before holds the text too" \
    "$(q "SELECT before->>'doc' FROM changes WHERE \"table\" = 'j' AND primary_key = '10' AND operation = 'DELETE'")" '{"a":1e140000}'
expect_eq "the other columns of a poison row are exact" \
    "$(q "SELECT after - 'doc' FROM changes WHERE \"table\" = 'j' AND primary_key = '22' AND operation = 'CREATE'")" \
    '{"id": 22, "note": "among normal rows"}'
expect_eq "a lone surrogate (json takes it, jsonb does not) is stored as its text" \
    "$(q "SELECT after->>'doc' FROM changes WHERE \"table\" = 'j' AND primary_key = '14' AND operation = 'CREATE'")" '{"s":"\ud800"}'
expect_eq "normal rows in the same transaction are exact" \
    "$(q "SELECT after->'doc' FROM changes WHERE \"table\" = 'j' AND primary_key = '23' AND operation = 'CREATE'")" '[2, {"x": null}]'
if [ "$BIG" = 1 ]; then
    expect_eq "the 2^28-byte value is a placeholder listed in lossy" \
        "$(q "SELECT lossy::text || ' ' || (after->>'v' LIKE '<pgtrail: value of 26843545_ bytes omitted: %>') FROM changes WHERE \"table\" = 'big' AND primary_key = '1'")" \
        "{v} true"
    expect_eq "the row after the big one is exact" \
        "$(q "SELECT after->>'v' FROM changes WHERE \"table\" = 'big' AND primary_key = '2'")" normal
fi
grep -q '1e140000\|1e-20000\|1e131072\|ud800\|xxxxxxxx' "$WORK/sink.log" && fail "the sink log holds a value"
REFUSED_LOGGED=$(grep -c 'public\.j at [0-9A-F]*/[0-9A-F]*.*columns listed in lossy: {\?doc' "$WORK/sink.log" || true)
[ "$REFUSED_LOGGED" -ge 18 ] || fail "expected a log line naming table, LSN and columns for each of the 18 refused json changes, got $REFUSED_LOGGED"
# Once each, though a refused batch is written again by the next session (issue 15).
TWICE=$(grep -o 'public\.j at [0-9A-F]*/[0-9A-F]*' "$WORK/sink.log" | sort | uniq -d | head -3 | tr '\n' ' ')
[ -z "$TWICE" ] || fail "changes logged more than once: $TWICE"
grep -q 'CONTEXT\|value overflows' "$WORK/sink.log" && fail "the log holds the server's error text: $(grep -m1 'CONTEXT\|value overflows' "$WORK/sink.log" | cut -c1-200)"
URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/sink.log" | head -1 || true)
[ -n "$URL" ] || fail "no metrics address in the log"
METRICS=$(curl -s "$URL/metrics")
expect_eq "metrics: lossy changes" "$(echo "$METRICS" | awk '$1 == "pgtrail_lossy_changes_total" {print $2}')" "$LOSSY"
REFUSED=$(echo "$METRICS" | awk '$1 == "pgtrail_refused_changes_total" {print $2}')
[ "$REFUSED" -ge 18 ] || fail "metrics: refused changes $REFUSED, expected at least 18"
BATCHES=$(echo "$METRICS" | awk '$1 == "pgtrail_refused_batches_total" {print $2}')
# The lone surrogates (and without the up-front check the numbers) reach the destination.
[ "$BATCHES" -ge 1 ] || fail "no batch was replayed change by change"
[ "$(grep -c 'the destination refused the change' "$WORK/sink.log" || true)" -ge 3 ] || fail "the lone surrogates were not found by the replay"
echo "poison: $LOSSY lossy changes, $REFUSED refused by the destination and stored in faithful form," \
     "$BATCHES batches replayed change by change," \
     "$(grep -c 'reconnecting' "$WORK/sink.log" || true) reconnects"
stop_sink
oracle_check
echo "ok"
