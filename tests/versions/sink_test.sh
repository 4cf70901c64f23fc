#!/usr/bin/env bash
# The host's sink (built here, Debian 12) streaming from another major's server in its chroot
# (scripts/test-pg.sh), into a separate destination on the host: a random workload (about
# 10,000 changes) and the torture tables, then the replay oracle over the destination's
# changes: nothing lost, nothing duplicated, every table equal.
source "$(dirname "$0")/../integration/sink/lib.sh"
source "$(dirname "$0")/../integration/lib/oracle.sh"
source "$(dirname "$0")/lib.sh"

start_cluster dest
DEST_PORT=$PORT
SOURCE_PORT=$(chroot_start src)
export PGPORT=$SOURCE_PORT
PORT=$SOURCE_PORT
echo "source: $(q "SELECT version()")"
oracle_install
oracle_workload_install
start_sink "${ORACLE_SINK_OPTS[@]}" --plugin pgtrail --batch-time-ms 100 \
    --destination "host=127.0.0.1 port=$DEST_PORT user=postgres dbname=postgres"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
wait_for "SELECT plugin FROM pg_replication_slots WHERE slot_name = 'pgtrail'" pgtrail
oracle_workload 1000 0.17
psql -X -q -v ON_ERROR_STOP=1 -f "$(dirname "$0")/../integration/lib/torture_tables.sql" >/dev/null
echo "workload and torture tables written"
caught_up 300
stop_sink
oracle_copy_changes "$DEST_PORT"
oracle_check oracle.dest_changes
echo "ok"
