#!/usr/bin/env bash
# `pgtrail check --nats`: the NATS side. Unreachable servers and a server without JetStream FAIL
# with the fix; before the reader ran, the stream and consumer are missing (warn); with a writer
# stopped behind the reader, its lag is the stream's messages it has not written; an R1 stream
# is a warning (the loss of its node stops the pipeline).
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
nats_cluster_start 1
NATS_REPLICAS=1
run "CREATE TABLE t (id int PRIMARY KEY, v text)"
nats_check() { "$PGTRAIL" check --source "$(SOURCE_CONN)" "$@" >"$WORK/check.out" 2>&1; }

# Nothing listening.
dead=$(nats_free_port)
nats_check --nats "nats://127.0.0.1:$dead" && fail "check passed without NATS"
grep -q "FAIL *nats.*cannot connect" "$WORK/check.out" || { cat "$WORK/check.out" >&2; fail "no FAIL for unreachable servers"; }

# A server without JetStream.
plain=$(nats_free_port)
"$NATS_SERVER" -a 127.0.0.1 -p "$plain" >"$WORK/plain-nats.log" 2>&1 &
plain_pid=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$plain") 2>/dev/null && break; sleep 0.1; done
nats_check --nats "nats://127.0.0.1:$plain" && fail "check passed without JetStream"
kill "$plain_pid"
grep -q "FAIL *jetstream" "$WORK/check.out" || { cat "$WORK/check.out" >&2; fail "no FAIL for a server without JetStream"; }
grep -q "jetstream { store_dir" "$WORK/check.out" || fail "no fix for JetStream"

# Before the reader: no stream yet.
nats_check --nats "$NATS_URLS" || { cat "$WORK/check.out" >&2; fail "check failed on a fresh cluster"; }
grep -q "ok *jetstream" "$WORK/check.out" || { cat "$WORK/check.out" >&2; fail "JetStream not reported"; }
grep -q "warn *nats stream.*does not exist yet" "$WORK/check.out" || { cat "$WORK/check.out" >&2; fail "no warning for a missing stream"; }

# A writer that wrote 1 transaction, stopped; then 20 more transactions: its lag is 20 messages.
start_reader
wait_slot_active
start_writer main "$PORT"
run "INSERT INTO t VALUES (0, 'first')"
pipeline_caught_up main
stop_writer main
for i in $(seq 1 20); do run "INSERT INTO t VALUES ($i, 'x')"; done
caught_up
nats_check --nats "$NATS_URLS" --consumer main || { cat "$WORK/check.out" >&2; fail "check failed"; }
cat "$WORK/check.out"
grep -q "warn *nats stream.*1 replicas" "$WORK/check.out" || fail "no warning for an R1 stream"
grep -q "ok *nats consumer.*consumer main (pgtrail\.>): 20 messages not delivered" "$WORK/check.out" || fail "the writer's lag is not 20 messages"
nats_check --nats "$NATS_URLS" --consumer other
grep -q "warn *nats consumer.*consumer other does not exist yet" "$WORK/check.out" || { cat "$WORK/check.out" >&2; fail "no warning for a missing consumer"; }
stop_reader
echo "ok"
