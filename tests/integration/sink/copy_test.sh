#!/usr/bin/env bash
# COPY of 10,000 rows (one multi-insert WAL record per many rows) gives 10,000 changes, all
# under one commit_lsn (the commit record's start, after every change) and in one destination
# transaction, even when --batch-size is smaller; a 1,000-row multi-row INSERT gives 1,000.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, added date)"
seq 1 10000 | awk '{ printf "%d\titem %d\t%d.%02d\t2026-01-%02d\n", $1, $1, $1 % 97, $1 % 100, 1 + $1 % 28 }' >"$WORK/items.tsv"
chmod 644 "$WORK/items.tsv"

check_copy() {  # check_copy FIRST_ID LAST_ID
    local where="\"table\" = 'items' AND primary_key::int BETWEEN $1 AND $2"
    expect_eq "rows $1..$2" \
        "$(q "SELECT count(*), count(DISTINCT primary_key), count(DISTINCT commit_lsn), min(ordinal), max(ordinal), bool_and(commit_lsn > position), count(DISTINCT created_at) FROM changes WHERE $where")" \
        "$(($2 - $1 + 1))|$(($2 - $1 + 1))|1|0|$(($2 - $1))|t|1"
    expect_eq "images of rows $1..$2" \
        "$(q "SELECT count(*) FROM changes c JOIN items i ON i.id = c.primary_key::int WHERE c.$where AND c.after = to_jsonb(i)")" "$(($2 - $1 + 1))"
}

start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy items FROM '$WORK/items.tsv'"
caught_up
check_copy 1 10000
stop_sink

# Again with batches smaller than the COPY: its rows stream into the open batch as they are
# read, and the batch still commits only at the end of the source transaction.
run "TRUNCATE items"
awk -F'\t' -v OFS='\t' '{ $1 = $1 + 10000; print }' "$WORK/items.tsv" >"$WORK/items2.tsv"
chmod 644 "$WORK/items2.tsv"
start_sink --batch-size 1000
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy items FROM '$WORK/items2.tsv'"
run "INSERT INTO items SELECT g, 'multi ' || g, g, '2026-02-01' FROM generate_series(20001, 21000) g"
caught_up
check_copy 10001 20000
check_copy 20001 21000
expect_eq "truncate recorded" "$(q "SELECT count(*) FROM changes WHERE operation = 'TRUNCATE'")" 1
stop_sink

# SIGTERM while a big transaction is being read (its first rows already in the COPY): the
# open batch is rolled back, the sink exits 0 at once, and the next run writes the
# transaction exactly once.
start_sink
seq 30001 130000 | awk '{ printf "%d\titem %d\t1\t2026-03-01\n", $1, $1 }' >"$WORK/items3.tsv"
chmod 644 "$WORK/items3.tsv"
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy items FROM '$WORK/items3.tsv'"
wait_for "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'BEGIN; COPY %' AND state = 'active' AND pid <> pg_backend_pid()" 1
stop_sink
grep -q "rolling back the open batch" "$WORK/sink.log" || fail "SIGTERM did not land inside the big transaction"
expect_eq "nothing of the big transaction kept" "$(q "SELECT count(*) FROM changes WHERE primary_key::int > 30000")" 0
start_sink
caught_up
check_copy 30001 130000
stop_sink
echo "ok"
