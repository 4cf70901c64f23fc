#!/usr/bin/env bash
# Failover slots (PostgreSQL 17+): a primary and a physical standby in the chroot (the standby
# streams through the physical slot standby1, synchronizes failover slots, and the primary sends
# logical changes only once standby1 has them: synchronized_standby_slots), a separate
# destination on the host, the sink on a multi-host connection string with --failover. The
# primary is SIGKILLed mid-workload, the standby promoted; the workload goes on there, the sink
# follows it. The replay oracle on the promoted server: nothing lost, nothing duplicated.
# pgtrail check --failover --standby says the standby is ready before the crash.
source "$(dirname "$0")/../integration/sink/lib.sh"
source "$(dirname "$0")/../integration/lib/oracle.sh"
source "$(dirname "$0")/lib.sh"

start_cluster dest
DEST_PORT=$PORT
DEST="host=127.0.0.1 port=$DEST_PORT user=postgres dbname=postgres"
P1=$(chroot_start primary)
P2=$(chroot_standby standby "$P1" standby1 --set "sync_replication_slots = on" --set "hot_standby_feedback = on")
psql -X -q -h 127.0.0.1 -p "$P1" -U postgres -c "ALTER SYSTEM SET synchronized_standby_slots = 'standby1'" -c "SELECT pg_reload_conf()" >/dev/null
echo "primary on $P1, standby on $P2: $(psql -X -At -h 127.0.0.1 -p "$P2" -U postgres -c "SELECT version()")"
# Every client, the sink included, reaches whichever of the two is the primary.
export PGHOST=127.0.0.1,127.0.0.1 PGPORT=$P1,$P2 PGTARGETSESSIONATTRS=read-write
SOURCE_CONN() { echo "host=127.0.0.1,127.0.0.1 port=$P1,$P2 user=postgres dbname=postgres target_session_attrs=read-write"; }
on_standby() { PGTARGETSESSIONATTRS=any psql -X -q -At -h 127.0.0.1 -p "$P2" -U postgres -c "$1"; }

oracle_install
oracle_workload_install
OPTS=("${ORACLE_SINK_OPTS[@]}" --plugin pgtrail --failover --destination "$DEST" --batch-time-ms 100 --max-backoff 1)
start_sink "${OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
expect_eq "the slot is a failover slot" "$(q "SELECT failover FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t

# The standby's copy of the slot becomes usable once the sink has confirmed a position past it.
oracle_workload 50 0.61
caught_up
for _ in $(seq 1 300); do
    [ "$(on_standby "SELECT synced AND NOT temporary FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" = t ] && break
    run "SELECT pg_logical_emit_message(true, 'tick', 'x')"
    sleep 0.5
done
expect_eq "the standby holds a synchronized copy of the slot" \
    "$(on_standby "SELECT synced AND NOT temporary FROM pg_replication_slots WHERE slot_name = 'pgtrail'")" t
"$PGTRAIL" check --source "$(SOURCE_CONN)" --destination "$DEST" --plugin pgtrail --failover \
    --standby "host=127.0.0.1 port=$P2 user=postgres dbname=postgres" >"$WORK/check.txt" 2>&1 || true
cat "$WORK/check.txt"
for item in "failover slot" synchronized_standby_slots "standby sync_replication_slots" "standby hot_standby_feedback" \
            "standby primary_slot_name" "standby slot"; do
    grep -qE "^ok +$item " "$WORK/check.txt" || fail "check --failover: item '$item' is not ok"
done

# The workload runs through the crash and the promotion (a chunk that fails is retried on the new primary).
ORACLE_CHUNK=20 ORACLE_PAUSE=0.05 oracle_workload 800 0.29 &
WORKLOAD_PID=$!
wait_for "SELECT coalesce(sum(n), 0) > 3000 FROM oracle.ops" t 300
echo "crash: SIGKILL to the primary ($(q "SELECT sum(n) FROM oracle.ops") operations so far)"
chroot_cluster crash "$(chroot_dir primary)"
chroot_cluster promote "$(chroot_dir standby)"
at_promotion=$(on_standby "SELECT coalesce(sum(n), 0) FROM oracle.ops")
echo "promoted the standby: it has $at_promotion operations"
wait "$WORKLOAD_PID" || fail "workload failed"
final=$(q "SELECT sum(n) FROM oracle.ops")
[ "$final" -gt "$at_promotion" ] || fail "the workload did not go on on the promoted standby ($final <= $at_promotion)"
caught_up 300
stop_sink
grep -q "reconnecting in" "$WORK/sink.log" || fail "the sink never reconnected"
oracle_copy_changes "$DEST_PORT"
oracle_check oracle.dest_changes
echo "ok: $final operations (of them $(( final - at_promotion )) after the promotion), replayed from the destination"
