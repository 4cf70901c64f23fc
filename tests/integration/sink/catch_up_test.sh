#!/usr/bin/env bash
# While behind, the sink writes bigger destination transactions (--catch-up-batch-size); once
# changes stop filling its batches it is back to --batch-size and to committing at once.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE t (id serial PRIMARY KEY, v text)"

# committed_sizes: the size of each batch the sink logged since the last truncation of its log
committed_sizes() { sed -n 's/.*committed \([0-9]*\) changes of .*/\1/p' "$WORK/sink.log"; }
largest_batch() { committed_sizes | sort -n | tail -1; }

# A backlog of 300 transactions of 100 rows, made while no sink runs.
backlog() {
    for _ in $(seq 1 300); do echo "INSERT INTO t (v) SELECT md5(g::text) FROM generate_series(1, 100) g;"; done \
        | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
}

start_sink --batch-size 1000
caught_up
stop_sink

backlog
: >"$WORK/sink.log"
start_sink --batch-size 1000 --catch-up-batch-size 20000
caught_up
expect_eq "every backlog change once" "$(q "SELECT count(*) || ' ' || count(DISTINCT primary_key) FROM changes")" "30000 30000"
largest=$(largest_batch)
[ "$largest" -gt 1000 ] || fail "draining a backlog, the largest batch has $largest changes: no catch-up batch"
[ "$largest" -le 20100 ] || fail "a catch-up batch of $largest changes is over --catch-up-batch-size 20000 (plus one transaction)"

# Caught up: single changes arriving one by one are committed one by one, at once (the first one
# after the backlog may wait up to a second, as a pause in a backlog would).
run "INSERT INTO t (v) VALUES ('settle')"
caught_up
: >"$WORK/sink.log"
for i in 1 2 3 4 5; do run "INSERT INTO t (v) VALUES ('trickle $i')"; sleep 0.3; done
caught_up
expect_eq "trickle batches" "$(committed_sizes | sort -u | tr '\n' ' ')" "1 "
stop_sink

# --catch-up-batch-size at or under --batch-size turns it off.
backlog
: >"$WORK/sink.log"
start_sink --batch-size 1000 --catch-up-batch-size 1000
caught_up
largest=$(largest_batch)
[ "$largest" -le 1100 ] || fail "with catch-up off, a batch of $largest changes is over --batch-size 1000 (plus one transaction)"
expect_eq "every change once" "$(q "SELECT count(*) || ' ' || count(DISTINCT primary_key) FROM changes")" "60006 60006"
stop_sink
echo "ok"
