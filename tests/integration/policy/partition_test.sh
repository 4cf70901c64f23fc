#!/usr/bin/env bash
# --partition-by and --retention (issue 14). setup creates changes partitioned by committed_at with
# a default partition; past day partitions are filled with rows (a source cannot commit in the
# past, so they are written directly), plus a row older than every partition (it lands in the
# default partition). pgtrail run --partition-by day --retention 5d then streams a workload, is
# SIGKILLed twice meanwhile, and while it streams drops exactly the partitions whose day ended more
# than 5 days ago and the default partition's expired row, logging and counting them in /metrics;
# it creates the partitions ahead. Every workload row arrives exactly once. Time travel refuses an
# instant before the cut-off and warns after it. An existing unpartitioned table is refused by run
# and never converted by setup, which prints a script; that script converts a table with rows.
source "$(dirname "$0")/../sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE t (id int PRIMARY KEY, v text)"

echo "--- setup --partition-by day"
"$PGTRAIL" setup --no-slot --partition-by day --source "$(SOURCE_CONN)" >"$WORK/setup.out" 2>&1 || { cat "$WORK/setup.out"; fail "setup failed"; }
grep -q "done: create the changes table changes partitioned by committed_at" "$WORK/setup.out" || { cat "$WORK/setup.out"; fail "setup did not say it partitions"; }
expect_eq "partitioned" "$(q "SELECT relkind FROM pg_class WHERE oid = 'changes'::regclass")" p
expect_eq "default partition" "$(q "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'changes_default'::regclass")" DEFAULT
expect_eq "keys include committed_at" "$(q "SELECT string_agg(pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'changes'::regclass AND contype IN ('p', 'u')")" \
    "UNIQUE (commit_lsn, ordinal, committed_at); PRIMARY KEY (id, committed_at)"
expect_eq "schema version" "$(q "SELECT version FROM pgtrail.schema_version")" 9
expect_eq "indexes of row histories on the parent: TRUNCATEs and moved_from, no GIN index on before" \
    "$(q "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'changes' AND (indexdef LIKE '%TRUNCATE%' OR indexdef LIKE '%moved_from%' OR indexdef LIKE '%(before%')")" \
    "changes_moved_from_idx,changes_truncate_idx"

echo "--- past partitions with rows, and one row older than all of them"
run "SELECT pgtrail.create_partitions('changes', 'day', 0, now() - interval '10 days')"
run "INSERT INTO changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal)
     SELECT k::text, jsonb_build_object('id', k), 'postgres', 'public', 'old', 'CREATE', now() - k * interval '1 day', now(), k, k, k, 0
     FROM generate_series(1, 10) k
     UNION ALL SELECT '40', '{\"id\": 40}', 'postgres', 'public', 'old', 'CREATE', now() - interval '40 days', now(), 40, 40, 40, 0"
expect_eq "the 40-day-old row is in the default partition" "$(q "SELECT primary_key FROM changes_default")" 40
# What retention must drop: every partition whose range ended 5 days ago or earlier.
bounds="SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']*)''\)'))[1]::timestamptz AS hi
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'changes'::regclass"
EXPIRED=$(q "SELECT string_agg(relname, ',' ORDER BY relname) FROM ($bounds) b WHERE hi <= now() - interval '5 days'")
EXPIRED_HI=$(q "SELECT max(hi) FROM ($bounds) b WHERE hi <= now() - interval '5 days'")
KEPT_OLD=$(q "SELECT count(*) FROM changes WHERE \"table\" = 'old' AND committed_at >= (SELECT max(hi) FROM ($bounds) b WHERE hi <= now() - interval '5 days')")
echo "expired: $EXPIRED; old rows kept: $KEPT_OLD"
[ "$(echo "$EXPIRED" | tr ',' '\n' | wc -l)" -ge 5 ] || fail "too few partitions to expire: $EXPIRED"

echo "--- run --partition-by day --retention 5d, streaming, SIGKILLed twice"
MPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
OPTS=(--plugin pgtrail --partition-by day --retention 5d --partition-check-interval 1 --batch-time-ms 50 --max-backoff 1 --metrics-listen ":$MPORT")
run "CREATE PROCEDURE load(n int) LANGUAGE plpgsql AS \$\$ BEGIN FOR i IN 1..n LOOP INSERT INTO t VALUES (i, md5(i::text)); COMMIT; PERFORM pg_sleep(0.01); END LOOP; END \$\$"
start_sink "${OPTS[@]}"
psql -X -q -c "CALL load(600)" &
LOAD=$!
sleep 2; kill9_sink; start_sink "${OPTS[@]}"
sleep 2; kill9_sink; start_sink "${OPTS[@]}"
wait "$LOAD" || fail "workload failed"
caught_up
wait_for "SELECT count(*) FROM pg_class WHERE relname = ANY (string_to_array('$EXPIRED', ','))" 0 30
expect_eq "every workload row once" "$(q "SELECT count(*), count(DISTINCT primary_key) FROM changes WHERE \"table\" = 't'")" "600|600"
expect_eq "(commit_lsn, ordinal) unique" "$(q "SELECT count(*) FROM (SELECT FROM changes GROUP BY commit_lsn, ordinal HAVING count(*) > 1) d")" 0
expect_eq "old rows in kept partitions stay" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'old'")" "$KEPT_OLD"
expect_eq "the default partition's expired row is gone" "$(q "SELECT count(*) FROM changes_default")" 0
expect_eq "today and 3 days ahead exist" \
    "$(q "SELECT count(*) FROM generate_series(0, 3) d WHERE to_regclass('changes_p' || to_char((now() AT TIME ZONE 'UTC') + d * interval '1 day', 'YYYYMMDD')) IS NOT NULL")" 4
expect_eq "today's rows are in today's partition" \
    "$(q "SELECT count(*) FROM changes_p$(q "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')") WHERE \"table\" = 't'")" \
    "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't' AND committed_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")"
for p in ${EXPIRED//,/ }; do grep -q "retention 5d: dropped partition $p " "$WORK/sink.log" || fail "no log line for $p"; done
grep -q "retention 5d: deleted 1 rows committed before .* from changes_default" "$WORK/sink.log" || fail "no log line for the default partition"
metrics=$(curl -s "http://127.0.0.1:$MPORT/metrics")
echo "$metrics" | grep "^pgtrail_partition\|^pgtrail_retention"
# The counters are per process: the last sink ran after the drops, which the first one made.
total_dropped=$(grep -c "retention 5d: dropped partition" "$WORK/sink.log")
expect_eq "every expired partition dropped once" "$total_dropped" "$(echo "$EXPIRED" | tr ',' '\n' | wc -l)"
echo "$metrics" | grep -q "^pgtrail_partitions_dropped_total [0-9]" || fail "no dropped counter"
kill9_sink

echo "--- a fresh sink counts its own drops in /metrics"
run "SELECT pgtrail.create_partitions('changes', 'day', 0, now() - interval '8 days')"
n=$(q "SELECT count(*) FROM ($bounds) b WHERE hi <= now() - interval '5 days'")
start_sink "${OPTS[@]}"
wait_for "SELECT count(*) FROM ($bounds) b WHERE hi <= now() - interval '5 days'" 0 30
# The page into a file first: grep -q stops reading at the match, and curl's SIGPIPE would fail the pipeline.
dropped_metric() { curl -s -o "$WORK/metrics.txt" "http://127.0.0.1:$MPORT/metrics"; grep -q "^pgtrail_partitions_dropped_total $n\$" "$WORK/metrics.txt"; }
for _ in $(seq 1 50); do dropped_metric && break; sleep 0.2; done
dropped_metric || fail "metrics do not count $n drops"
run "INSERT INTO t VALUES (1000, 'after')"
caught_up
expect_eq "still streaming" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 't'")" 601
stop_sink

echo "--- time travel and the retention cut-off"
expect_eq "cut-off recorded: the last dropped day's end, or the default partition's cut-off after it" \
    "$(q "SELECT dropped_before >= '$EXPIRED_HI' AND dropped_before <= now() - interval '5 days' FROM pgtrail.policies")" t
expect_eq "retention recorded" "$(q "SELECT partition_by || ' ' || retention FROM pgtrail.policies")" "day 5 days"
out=$(psql -X -At -c "SELECT pgtrail.row_as_of('t', '1', now() - interval '20 days')" 2>&1 || true)
echo "$out" | grep -q "ERROR:  pgtrail: changes holds no history before .* (dropped by retention)" || fail "no error before the cut-off: $out"
out=$(psql -X -At -c "SET client_min_messages = notice" -c "SELECT pgtrail.row_as_of('t', '1', now())" 2>&1)
echo "$out" | grep -q "NOTICE:  pgtrail: changes holds no history before" || fail "no notice after the cut-off: $out"
echo "$out" | grep -q '"id": 1' || fail "row_as_of no longer answers: $out"
expect_eq "table_as_of still answers" "$(q "SELECT count(*) FROM pgtrail.table_as_of('t', now())" 2>/dev/null)" 601

echo "--- an unpartitioned table: run refuses, setup prints how, the script converts it"
run "CREATE DATABASE plain"
PLAIN="host=127.0.0.1 port=$PORT user=postgres dbname=plain"
"$PGTRAIL" setup --no-slot --source "$PLAIN" >/dev/null 2>&1 || fail "setup of plain failed"
PGDATABASE=plain run "INSERT INTO changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal, lossy)
     SELECT k::text, jsonb_build_object('id', k), 'plain', 'public', 'x', 'CREATE', now() - k * interval '1 day', now(), k, k, k, 0, NULL FROM generate_series(1, 30) k"
before=$(PGDATABASE=plain q "SELECT md5(string_agg((to_jsonb(c) - 'id')::text, '' ORDER BY commit_lsn)) FROM changes c")
status=0; timeout 30 "$PGTRAIL" run --source "$PLAIN" --slot plainslot --partition-by day >"$WORK/plain_run.out" 2>&1 || status=$?
expect_eq "run refuses" "$status" 1
grep -q "exists and is not partitioned; pgtrail never converts a table by itself" "$WORK/plain_run.out" || { cat "$WORK/plain_run.out"; fail "run's refusal"; }
"$PGTRAIL" setup --no-slot --partition-by day --dry-run --source "$PLAIN" >"$WORK/plain_setup.out" 2>&1 || true
expect_eq "setup converted nothing" "$(PGDATABASE=plain q "SELECT relkind FROM pg_class WHERE oid = 'changes'::regclass")" r
grep -q "is not partitioned, and pgtrail never converts" "$WORK/plain_setup.out" || { cat "$WORK/plain_setup.out"; fail "setup printed no script"; }
# The script: its first transaction, setup --partition-by, its second transaction.
awk '/^BEGIN;/{n++} n==1' "$WORK/plain_setup.out" | awk '{print} /^COMMIT;/{exit}' >"$WORK/part1.sql"
awk '/^BEGIN;/{n++} n==2' "$WORK/plain_setup.out" | awk '{print} /^COMMIT;/{exit}' >"$WORK/part2.sql"
PGDATABASE=plain psql -X -q -v ON_ERROR_STOP=1 -f "$WORK/part1.sql" >/dev/null || fail "script part 1"
"$PGTRAIL" setup --no-slot --partition-by day --source "$PLAIN" >"$WORK/plain_setup2.out" 2>&1 || { cat "$WORK/plain_setup2.out"; fail "setup after the rename"; }
PGDATABASE=plain psql -X -q -v ON_ERROR_STOP=1 -f "$WORK/part2.sql" >/dev/null || fail "script part 2"
expect_eq "converted" "$(PGDATABASE=plain q "SELECT relkind FROM pg_class WHERE oid = 'changes'::regclass")" p
expect_eq "rows kept" "$(PGDATABASE=plain q "SELECT md5(string_agg((to_jsonb(c) - 'id')::text, '' ORDER BY commit_lsn)) FROM changes c")" "$before"
expect_eq "rows in day partitions" "$(PGDATABASE=plain q "SELECT count(*) FROM changes_default")" 0
echo "--- run creates the partitioned table: the first batch lands in today's partition"
# Partitions created after the writer's first COPY would find today's rows in the default
# partition and skip today for good.
run "CREATE DATABASE fresh"
FRESH="host=127.0.0.1 port=$PORT user=postgres dbname=fresh"
PGDATABASE=fresh run "CREATE TABLE t (id int PRIMARY KEY, v text)"
"$PGTRAIL" run --source "$FRESH" --slot fresh --partition-by day --batch-time-ms 50 >>"$WORK/fresh.log" 2>&1 &
FRESH_PID=$!
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'fresh'" 1 30
PGDATABASE=fresh run "INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 20000) i"
PGDATABASE=fresh wait_for "SELECT count(*) FROM changes WHERE \"table\" = 't'" 20000 90
kill -TERM "$FRESH_PID"; wait "$FRESH_PID" || true
expect_eq "the default partition is empty" "$(PGDATABASE=fresh q "SELECT count(*) FROM changes_default")" 0
expect_eq "today's partition holds the rows" \
    "$(PGDATABASE=fresh q "SELECT count(*) FROM changes_p$(q "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')")")" 20000
grep -q "created partition changes_p" "$WORK/fresh.log" || { cat "$WORK/fresh.log"; fail "no partition created by run"; }
echo "PASS"
