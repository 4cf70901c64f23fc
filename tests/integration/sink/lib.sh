# Shared helpers for the sink's integration tests (bash). Each test sources this file,
# starts its own throwaway cluster(s) and runs the freshly built `pgtrail run` against them.
set -euo pipefail

: "${PGTRAIL_SOURCE_DIR:?run through ctest}"
: "${PGTRAIL_BINARY_DIR:?run through ctest}"
PLUGIN_DIR=${PGTRAIL_TEST_PLUGIN_DIR:-${PGTRAIL_PLUGIN_DIR:-}}
PGTRAIL=$PGTRAIL_BINARY_DIR/sink/pgtrail
CLUSTER=$PGTRAIL_SOURCE_DIR/scripts/pg-cluster.sh
WORK=$(mktemp -d /tmp/pgtrail-sink-test.XXXXXX)
chmod 755 "$WORK"
SINK_PID=""
CLUSTERS=()

[ -f "$PLUGIN_DIR/pgtrail.so" ] || { echo "no pgtrail.so in '$PLUGIN_DIR' (build the plugin target)" >&2; exit 1; }

cleanup() {
    [ -n "$SINK_PID" ] && kill -9 "$SINK_PID" 2>/dev/null || true
    if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir and clusters kept: $WORK" >&2; return; fi
    for dir in "${CLUSTERS[@]+"${CLUSTERS[@]}"}"; do "$CLUSTER" destroy "$dir" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$WORK/sink.log" ]; then echo "--- sink log (last 40 lines)" >&2; tail -40 "$WORK/sink.log" >&2; fi
    exit 1
}

# start_cluster NAME [pg-cluster.sh options...]: sets PORT (and NAME_PORT)
start_cluster() {
    local name=$1; shift
    local dir=$WORK/$name
    CLUSTERS+=("$dir")
    PORT=$("$CLUSTER" start "$dir" "$@")
    export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres PGOPTIONS="-c client_min_messages=warning"
}

# q SQL: one value (or rows, |-separated) from the test cluster
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
# run SQL: statements, output discarded
run() { psql -X -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

SOURCE_CONN() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=postgres"; }

# use_test_plugin: the output plugin a test's sinks decode with, from PGTRAIL_TEST_PLUGIN (pgtrail,
# the default, or pgoutput); sets PLUGIN_OPTS for start_sink. For pgoutput it first creates a
# publication of all tables in the current database (PGPORT).
use_test_plugin() {
    PLUGIN_OPTS=(--plugin "${PGTRAIL_TEST_PLUGIN:-pgtrail}")
    if [ "${PGTRAIL_TEST_PLUGIN:-pgtrail}" = pgoutput ]; then
        run "CREATE PUBLICATION pgtrail_test FOR ALL TABLES WITH (publish_via_partition_root = true)"
        PLUGIN_OPTS+=(--publication pgtrail_test)
    fi
    echo "decoding with ${PGTRAIL_TEST_PLUGIN:-pgtrail}"
}

# build_legacy_plugin DIR: today's plugin without the max-message-bytes option (a pgtrail plugin
# older than it, which refuses it), built in DIR for start_cluster --plugin-dir; checks it refuses the option.
build_legacy_plugin() {
    local legacy=$1
    mkdir -p "$legacy"
    cp -r "$PGTRAIL_SOURCE_DIR/plugin" "$PGTRAIL_SOURCE_DIR/Makefile.pgxs" "$legacy/"
    sed -i '/{"max-message-bytes"/,+1d' "$legacy/plugin/options.cpp"
    grep -q '"max-message-bytes"' "$legacy/plugin/options.cpp" && fail "the legacy plugin still knows max-message-bytes"
    (cd "$legacy" && nice make -s -j2 -f Makefile.pgxs PG_CONFIG="${PG_CONFIG:-pg_config}" >"$WORK/legacy-build.log" 2>&1) ||
        { tail -20 "$WORK/legacy-build.log" >&2; fail "could not build the legacy plugin"; }
}

# legacy_plugin_refuses_pieces: the running cluster's plugin refuses max-message-bytes (a probe slot, dropped after)
legacy_plugin_refuses_pieces() {
    run "SELECT pg_create_logical_replication_slot('probe', 'pgtrail')"
    psql -X -q -At -c "SELECT count(*) FROM pg_logical_slot_peek_changes('probe', NULL, NULL, 'max-message-bytes', '1048576')" \
        >"$WORK/probe.out" 2>&1 || true
    grep -q 'unknown option "max-message-bytes"' "$WORK/probe.out" || fail "the legacy plugin does not refuse the option: $(cat "$WORK/probe.out")"
    run "SELECT pg_drop_replication_slot('probe')"
}

# start_sink [pgtrail run options...]: background sink logging to $WORK/sink.log
start_sink() {
    "$PGTRAIL" run --source "$(SOURCE_CONN)" --log-level debug "$@" >>"$WORK/sink.log" 2>&1 &
    SINK_PID=$!
    # A change is captured from the slot's creation on (after the destination is prepared): wait
    # up to 10 s for the slot, or for the sink's exit, before the test writes.
    local slot=pgtrail previous=""
    for arg in "$@"; do
        [ "$previous" = --slot ] && slot=$arg
        case $arg in --slot=*) slot=${arg#--slot=} ;; esac
        previous=$arg
    done
    for _ in $(seq 1 100); do
        [ "$(q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$slot'" 2>/dev/null)" = 1 ] && return 0
        kill -0 "$SINK_PID" 2>/dev/null || return 0
        sleep 0.1
    done
}

# stop_sink: SIGTERM, which must end it with status 0 within 10 s
stop_sink() {
    [ -n "$SINK_PID" ] || return 0
    kill -TERM "$SINK_PID"
    local status=0
    for _ in $(seq 1 100); do
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SINK_PID" 2>/dev/null && fail "sink still running 10 s after SIGTERM"
    wait "$SINK_PID" || status=$?
    SINK_PID=""
    [ "$status" = 0 ] || fail "sink exited with status $status after SIGTERM"
}

kill9_sink() {
    [ -n "$SINK_PID" ] || return 0
    kill -9 "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=""
}

# wait_for SQL EXPECTED [SECONDS]: polls until the query returns EXPECTED
wait_for() {
    local sql=$1 expected=$2 seconds=${3:-60} got=""
    for _ in $(seq 1 $((seconds * 5))); do
        got=$(q "$sql" 2>/dev/null || true)
        [ "$got" = "$expected" ] && return 0
        sleep 0.2
    done
    fail "waited ${seconds}s for [$sql] = [$expected], last got [$got]"
}

# caught_up: every committed source change is in the changes table (the slot confirmed the current WAL end)
caught_up() {
    local target
    target=$(q "SELECT pg_current_wal_lsn()")
    wait_for "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'pgtrail'" t "${1:-90}"
}

expect_eq() {  # expect_eq WHAT GOT EXPECTED
    [ "$2" = "$3" ] || fail "$1: got [$2], expected [$3]"
}

# --- A mixed workload and the exactly-once checks over it -------------------------------

# events: append-only (each row must arrive exactly once); accounts: inserts, updates,
# deletes and key changes (replaying its changes must give the table back).
create_workload() {
    run "CREATE TABLE events (id bigserial PRIMARY KEY, payload text, n int);
         CREATE TABLE accounts (id int PRIMARY KEY, balance numeric, note text, tags text[], seen timestamptz);
         CREATE PROCEDURE workload(txns int, seed float8, pause float8 DEFAULT 0) LANGUAGE plpgsql AS \$\$
         DECLARE k int;
         BEGIN
           PERFORM setseed(seed);
           FOR i IN 1..txns LOOP
             PERFORM pg_logical_emit_message(true, '_bemi', json_build_object('i', i, 'seed', seed)::text);
             INSERT INTO events (payload, n) VALUES (md5(i::text), i);
             k := 1 + floor(random() * 200)::int;
             CASE floor(random() * 4)::int
               WHEN 0 THEN INSERT INTO accounts VALUES (k, round((random() * 1000)::numeric, 2), 'n' || i, ARRAY['a' || i], now())
                           ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, note = excluded.note;
               WHEN 1 THEN UPDATE accounts SET balance = balance + 1, tags = tags || i::text WHERE id = k;
               WHEN 2 THEN DELETE FROM accounts WHERE id = k;
               ELSE UPDATE accounts SET id = id + 1000 WHERE id = k AND NOT EXISTS (SELECT FROM accounts WHERE id = k + 1000);
             END CASE;
             IF i % 40 = 0 THEN
               INSERT INTO events (payload, n) SELECT md5(g::text), g FROM generate_series(1, 400) g;
             END IF;
             COMMIT;
             IF pause > 0 THEN PERFORM pg_sleep(pause); END IF;
           END LOOP;
         END \$\$;"
}

# run_workload TXNS SEED [PAUSE]
run_workload() { run "CALL workload($1, $2, ${3:-0})"; }

# check_exactly_once: every event once, and accounts replayed from changes equals accounts.
check_exactly_once() {
    expect_eq "events: one CREATE per row, none missing" \
        "$(q "SELECT (SELECT count(*) FROM events), count(*), count(DISTINCT primary_key), count(*) FILTER (WHERE operation <> 'CREATE')
              FROM changes WHERE \"table\" = 'events'")" \
        "$(q "SELECT count(*) || '|' || count(*) || '|' || count(*) || '|0' FROM events")"
    expect_eq "events: keys match the table" \
        "$(q "SELECT count(*) FROM events e FULL JOIN (SELECT primary_key::bigint AS id FROM changes WHERE \"table\" = 'events') c USING (id) WHERE e.id IS NULL OR c.id IS NULL")" 0
    expect_eq "events: context stitched" \
        "$(q "SELECT count(*) FROM changes c JOIN events e ON e.id = c.primary_key::bigint WHERE c.\"table\" = 'events' AND (c.context->>'i')::int <> (CASE WHEN e.payload = md5(e.n::text) AND c.ordinal = 0 THEN e.n ELSE (c.context->>'i')::int END)")" 0
    expect_eq "every commit_lsn set" "$(q "SELECT count(*) FROM changes WHERE commit_lsn <= 0")" 0
    run "DROP TABLE IF EXISTS replica; CREATE TABLE replica (LIKE accounts);
         DO \$\$ DECLARE c record; BEGIN
           FOR c IN SELECT * FROM changes WHERE \"table\" = 'accounts' ORDER BY commit_lsn, ordinal LOOP
             IF c.operation = 'TRUNCATE' THEN DELETE FROM replica;
             ELSIF c.operation = 'CREATE' THEN INSERT INTO replica SELECT * FROM jsonb_populate_record(NULL::replica, c.after);
             ELSIF c.operation = 'UPDATE' THEN
               DELETE FROM replica WHERE id = (coalesce(c.before, c.after)->>'id')::int;
               INSERT INTO replica SELECT * FROM jsonb_populate_record(NULL::replica, c.after);
             ELSE DELETE FROM replica WHERE id = (c.before->>'id')::int;
             END IF;
           END LOOP; END \$\$;"
    expect_eq "accounts replayed from changes" \
        "$(q "SELECT count(*) FROM ((SELECT to_jsonb(a) FROM accounts a EXCEPT ALL SELECT to_jsonb(r) FROM replica r)
              UNION ALL (SELECT to_jsonb(r) FROM replica r EXCEPT ALL SELECT to_jsonb(a) FROM accounts a)) d")" 0
    expect_eq "accounts replica not empty" "$(q "SELECT count(*) > 0 FROM replica")" t
}
