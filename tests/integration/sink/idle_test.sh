#!/usr/bin/env bash
# An idle database (only untracked activity) never pins WAL: the slot's confirmed_flush_lsn
# follows the server's WAL position although no change is written.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE untracked (id serial PRIMARY KEY, v text)"

# Creating the slot waits for running transactions: SIGTERM meanwhile still stops at once.
psql -X -q -c "BEGIN; SELECT txid_current(); SELECT pg_sleep(60)" >/dev/null 2>&1 &
HOLDER_PID=$!
sleep 0.5
start_sink
sleep 1.5
stop_sink
run "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"
wait "$HOLDER_PID" || true
expect_eq "no slot left half created" "$(q "SELECT count(*) FROM pg_replication_slots")" 0

start_sink --exclude-tables public.untracked
caught_up
before=$(q "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'pgtrail'")
for i in 1 2 3; do
    run "INSERT INTO untracked (v) SELECT md5(g::text) FROM generate_series(1, 2000) g"
    run "SELECT pg_logical_emit_message(false, 'other', 'not context')"
    run "SELECT pg_switch_wal()"
done
target=$(q "SELECT pg_current_wal_lsn()")
wait_for "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'pgtrail'" t 30
expect_eq "confirmed_flush_lsn advanced" "$(q "SELECT confirmed_flush_lsn > '$before' FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t
expect_eq "nothing written" "$(q "SELECT count(*) FROM changes")" 0
# The sink's restart position follows too: a restart starts beyond the idle stretch.
stop_sink
start_sink --exclude-tables public.untracked
caught_up
expect_eq "nothing written after restart" "$(q "SELECT count(*) FROM changes")" 0
stop_sink
echo "ok"
