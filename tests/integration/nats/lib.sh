# Shared by the NATS tests (bash): a PostgreSQL source (sink/lib.sh), a 3-node JetStream
# cluster (lib/nats.sh), the reader (`pgtrail run --nats`) and writers (`pgtrail write`).
source "$(dirname "${BASH_SOURCE[0]}")/../sink/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/nats.sh"
# fail with the reader's and writers' logs
fail() {
    echo "FAIL: $*" >&2
    local log
    for log in "$WORK"/reader.log "$WORK"/writer-*.log; do
        [ -f "$log" ] && { echo "--- $(basename "$log") (last 25 lines)" >&2; tail -25 "$log" >&2; }
    done
    exit 1
}

READER_PID=""
declare -A WRITER_PIDS=()
nats_test_cleanup() {
    local pid
    for pid in $READER_PID "${WRITER_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ "${KEEP_WORK:-}" = 1 ] || nats_cleanup
    cleanup
}
trap nats_test_cleanup EXIT
STREAM=pgtrail

# start_reader [run options...]: the reader on the source (PORT), into $NATS_URLS, logging to $WORK/reader.log
start_reader() {
    "$PGTRAIL" run --source "$(SOURCE_CONN)" --nats "$NATS_URLS" --nats-replicas "${NATS_REPLICAS:-3}" --log-level debug \
        "$@" >>"$WORK/reader.log" 2>&1 &
    READER_PID=$!
}

kill9_reader() {
    kill -9 "$READER_PID" 2>/dev/null || true
    wait "$READER_PID" 2>/dev/null || true
    READER_PID=""
}

stop_reader() {
    [ -n "$READER_PID" ] || return 0
    kill -TERM "$READER_PID"
    local status=0
    wait "$READER_PID" || status=$?
    READER_PID=""
    [ "$status" = 0 ] || { tail -30 "$WORK/reader.log" >&2; fail "reader exited with status $status after SIGTERM"; }
}

# start_writer CONSUMER DESTINATION_PORT [write options...]: logs to $WORK/writer-CONSUMER.log
start_writer() {
    local consumer=$1 port=$2; shift 2
    "$PGTRAIL" write --nats "$NATS_URLS" --destination "host=127.0.0.1 port=$port user=postgres dbname=postgres" \
        --consumer "$consumer" --log-level debug "$@" >>"$WORK/writer-$consumer.log" 2>&1 &
    WRITER_PIDS[$consumer]=$!
}

kill9_writer() {
    kill -9 "${WRITER_PIDS[$1]}" 2>/dev/null || true
    wait "${WRITER_PIDS[$1]}" 2>/dev/null || true
}

stop_writer() {
    local status=0
    kill -TERM "${WRITER_PIDS[$1]}"
    wait "${WRITER_PIDS[$1]}" || status=$?
    [ "$status" = 0 ] || { tail -30 "$WORK/writer-$1.log" >&2; fail "writer $1 exited with status $status after SIGTERM"; }
}

# wait_slot_active: the reader streams (its slot has a walsender)
wait_slot_active() { wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1; }

# pipeline_caught_up CONSUMER...: the slot confirmed everything (it is in the stream) and each consumer wrote all of it
pipeline_caught_up() {
    caught_up 120
    local consumer
    for consumer in "$@"; do nats_wait_consumer_idle "$STREAM" "$consumer" 120; done
}

# no_write_errors: no writer met a duplicate row (the changes table's (commit_lsn, ordinal) is unique)
no_duplicate_errors() {
    ! grep -l "duplicate key" "$WORK"/writer-*.log 2>/dev/null || fail "a writer met a duplicate change"
}

# published_messages PORT: the reader's pgtrail_nats_published_messages_total on its metrics endpoint
published_messages() {
    curl -fsS "http://127.0.0.1:$1/metrics" | awk '$1 == "pgtrail_nats_published_messages_total" {print $2}'
}
