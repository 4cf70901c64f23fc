#!/usr/bin/env bash
# Huge transactions: one source transaction of PGTRAIL_HUGE_ROWS rows of
# PGTRAIL_HUGE_WIDTH bytes of text while small transactions keep committing. CI runs
# 300,000 rows (about 40 s); tests/soak.sh runs 2,000,000 rows and 1 GB (100,000 rows of
# 10 kB), docs/RELIABILITY.md has the figures. Checks:
#   - the sink's memory stays bounded (VmHWM from /proc, limit PGTRAIL_HUGE_RSS_MB, 64 MB;
#     measured 11 MB for 2,000,000 rows and for 1 GB);
#   - the destination commits the big one atomically: sampled while it is written, its
#     changes are visible either all or none, and all carry one created_at;
#   - small transactions committed while the big one ran arrive without waiting for it
#     (their delay, committed_at to created_at, stays under 5 s);
#   - every row arrives once, with after = to_jsonb(row) (set comparison, not replay).
source "$(dirname "$0")/../sink/lib.sh"
ROWS=${PGTRAIL_HUGE_ROWS:-300000}
WIDTH=${PGTRAIL_HUGE_WIDTH:-32}
WAIT_S=${PGTRAIL_HUGE_WAIT_S:-300}
RSS_LIMIT_MB=${PGTRAIL_HUGE_RSS_MB:-64}
start_cluster src --plugin-dir "$PLUGIN_DIR" --set "logical_decoding_work_mem = 64MB"
run "CREATE TABLE big (id int PRIMARY KEY, v text, n int); CREATE TABLE small (id serial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())"
start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
start=$(date +%s.%N)
psql -X -q -c "INSERT INTO big SELECT g, repeat(md5(g::text), greatest($WIDTH / 32, 1)), g FROM generate_series(1, $ROWS) g" &
BIG_PID=$!
# Small transactions during the big one.
while kill -0 "$BIG_PID" 2>/dev/null; do run "INSERT INTO small DEFAULT VALUES"; sleep 0.2; done
wait "$BIG_PID"
big_committed=$(date +%s.%N)
big_xid=$(q "SELECT xmin::text FROM big LIMIT 1")
# Sample the destination while the big transaction is written: all or nothing.
samples="" 
for _ in $(seq 1 $((WAIT_S * 2))); do
    got=$(q "SELECT count(*) FROM changes WHERE \"table\" = 'big'")
    samples="$samples $got"
    [ "$got" = "$ROWS" ] && break
    [ "$got" = 0 ] || fail "the big transaction is partly visible: $got of $ROWS changes"
    sleep 0.5
done
[ "$got" = "$ROWS" ] || fail "the big transaction did not arrive in $WAIT_S s"
visible=$(date +%s.%N)
run "INSERT INTO small DEFAULT VALUES"
caught_up 300
hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$SINK_PID/status")
echo "big transaction: $ROWS rows of $WIDTH bytes, source insert $(echo "$big_committed - $start" | bc) s, visible in changes $(echo "$visible - $big_committed" | bc) s after its commit; sink VmHWM ${hwm} MB"
expect_eq "big: one transaction, one destination commit, every row once" \
    "$(q "SELECT count(*), count(DISTINCT primary_key), count(DISTINCT transaction_id), count(DISTINCT created_at) FROM changes WHERE \"table\" = 'big'")" \
    "$ROWS|$ROWS|1|1"
expect_eq "big: images equal the rows" \
    "$(q "SELECT count(*) FROM (SELECT to_jsonb(b) FROM big b EXCEPT SELECT after FROM changes WHERE \"table\" = 'big') d")" 0
expect_eq "small transactions all arrived" \
    "$(q "SELECT count(*) FROM small")" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'small'")"
delays=$(q "SELECT count(*) || ' small transactions committed during the big one, max delay ' || round(max(extract(epoch FROM created_at - committed_at))::numeric, 3) || ' s'
            FROM changes WHERE \"table\" = 'small' AND committed_at < (SELECT min(committed_at) FROM changes WHERE \"table\" = 'big')")
echo "$delays"
expect_eq "small transactions not held back by the big one" \
    "$(q "SELECT coalesce(max(extract(epoch FROM created_at - committed_at)), 0) < 5 FROM changes WHERE \"table\" = 'small' AND committed_at < (SELECT min(committed_at) FROM changes WHERE \"table\" = 'big')")" t
[ "$hwm" -le "$RSS_LIMIT_MB" ] || fail "sink VmHWM ${hwm} MB over ${RSS_LIMIT_MB} MB"
stop_sink
echo "ok"
