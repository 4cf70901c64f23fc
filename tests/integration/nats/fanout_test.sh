#!/usr/bin/env bash
# One source fanned out through JetStream: two writers on disjoint table sets into one
# destination (by schema: a.> and b.>), and one writer of everything into a second destination.
# Each destination's changes equal a direct `pgtrail run`'s on the same workload (every column
# but id, queued_at, created_at). Then a destination is stopped for 60 s while the workload
# goes on: the slot keeps advancing (retained WAL stays flat), the stream holds the backlog,
# and everything arrives once after.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
SRC_PORT=$PORT
start_cluster dest1
DEST1=$PORT
start_cluster dest2
DEST2=$PORT
nats_cluster_start 3
export PGPORT=$SRC_PORT
PORT=$SRC_PORT  # the source of start_sink and start_reader
run "CREATE SCHEMA a; CREATE SCHEMA b;
     CREATE TABLE a.items (id int PRIMARY KEY, v text, n numeric);
     CREATE TABLE a.logs (id bigserial PRIMARY KEY, line text);
     CREATE TABLE b.users (id int PRIMARY KEY, name text, tags text[]);
     CREATE PROCEDURE mix(txns int, seed float8) LANGUAGE plpgsql AS \$\$
     BEGIN
       PERFORM setseed(seed);
       FOR i IN 1..txns LOOP
         PERFORM pg_logical_emit_message(true, '_bemi', json_build_object('i', i)::text);
         INSERT INTO a.items VALUES (1 + floor(random() * 300)::int, md5(i::text), random() * 1000)
           ON CONFLICT (id) DO UPDATE SET v = excluded.v, n = a.items.n + 1;
         INSERT INTO a.logs (line) VALUES ('l' || i);
         IF i % 3 = 0 THEN INSERT INTO b.users VALUES (i, 'u' || i, ARRAY['t' || i]) ON CONFLICT DO NOTHING; END IF;
         IF i % 7 = 0 THEN UPDATE b.users SET name = name || '!' WHERE id % 5 = i % 5; END IF;
         IF i % 11 = 0 THEN DELETE FROM a.items WHERE id % 13 = i % 13; END IF;
         IF i % 50 = 0 THEN INSERT INTO a.logs (line) SELECT repeat('x', 200) FROM generate_series(1, 500); END IF;
         COMMIT;
       END LOOP;
     END \$\$"
# The direct run, with a slot of its own, into the source's changes table.
start_sink --slot direct
start_reader
wait_slot_active
start_writer part_a "$DEST1" --subject 'pgtrail.postgres.a.>'
start_writer part_b "$DEST1" --subject 'pgtrail.postgres.b.>'
start_writer all "$DEST2"
run "CALL mix(600, 0.4)"

# A destination down for 60 s: the slot still advances, the stream holds the backlog.
pipeline_caught_up part_a part_b all
"$CLUSTER" stop "$WORK/dest2" fast >/dev/null
down_at=$(q "SELECT pg_current_wal_lsn()")
retained_before=$(q "SELECT pg_current_wal_lsn() - restart_lsn FROM pg_replication_slots WHERE slot_name = 'pgtrail'")
for round in 1 2 3 4; do   # 60 s of workload while the destination is down
    run "CALL mix(150, 0.5$round)"
    caught_up   # the reader's slot confirms everything: it is in the stream
    sleep 14
done
written=$(q "SELECT pg_current_wal_lsn() - '$down_at'")
retained_after=$(q "SELECT pg_current_wal_lsn() - restart_lsn FROM pg_replication_slots WHERE slot_name = 'pgtrail'")
echo "destination down 60 s: $written bytes of WAL written, the slot retains $retained_before -> $retained_after bytes"
[ "$retained_after" -lt $((written / 2)) ] || fail "the slot retains $retained_after bytes of the $written written while the destination is down"
nats_consumer_idle "$STREAM" all && fail "the stream holds no backlog for the stopped destination"
(cd / && runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" -D "$WORK/dest2/data" -l "$WORK/dest2/server.log" -w start >/dev/null)
pipeline_caught_up part_a part_b all
wait_for "SELECT confirmed_flush_lsn >= pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = 'direct'" t 120
no_duplicate_errors

# Every column but id, queued_at, created_at, in (commit_lsn, ordinal) order.
rows() {
    PGPORT=$1 q "SELECT md5(string_agg(concat_ws('|', commit_lsn, ordinal, position, transaction_id, committed_at, operation, database, schema, \"table\",
                 primary_key, before, after, context, unchanged, lossy), E'\n' ORDER BY commit_lsn, ordinal)), count(*) FROM changes
                 WHERE schema IN ('a', 'b')"
}
direct=$(rows "$SRC_PORT")
echo "direct run: $direct"
expect_eq "two writers on disjoint tables = direct run" "$(rows "$DEST1")" "$direct"
expect_eq "fan-out destination = direct run" "$(rows "$DEST2")" "$direct"
expect_eq "writer positions" "$(PGPORT=$DEST1 q "SELECT string_agg(consumer, ',' ORDER BY consumer) FROM pgtrail.stream_progress")" "part_a,part_b"
stop_writer part_a
stop_writer part_b
stop_writer all
stop_reader
stop_sink
echo "ok"
