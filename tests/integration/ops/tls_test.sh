#!/usr/bin/env bash
# TLS through libpq's sslmode against a cluster with ssl=on and a certificate from a CA made here:
# every sslmode connects; verify-full is accepted with the CA and the right host name and refused
# with a wrong host name or another CA; the sink streams over verify-full (its walsender uses TLS).
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
source "$(dirname "$0")/tls_lib.sh"

TLS=$WORK/tls
make_tls_files "$TLS"
start_cluster tls --plugin-dir "$PLUGIN_DIR" --set "ssl = on" \
    --set "ssl_cert_file = '$TLS/server.crt'" --set "ssl_key_file = '$TLS/server.key'"
run "CREATE TABLE items (id int PRIMARY KEY, v text)"
BASE="port=$PORT user=postgres dbname=postgres"
GOOD="host=localhost $BASE sslmode=verify-full sslrootcert=$TLS/ca.crt"

# check_with STATUS CONNINFO: pgtrail check's exit status, output in $WORK/check
check_with() {
    local status=0
    timeout 60 "$PGTRAIL" check --source "$2" >"$WORK/check" 2>&1 || status=$?
    [ "$status" = "$1" ] || { cat "$WORK/check"; fail "check with [$2] exited $status, expected $1"; }
    grep -E '^(ok|FAIL) +connection' "$WORK/check"
}

echo "--- every sslmode"
for mode in disable allow prefer require; do
    check_with 0 "host=127.0.0.1 $BASE sslmode=$mode"
done
grep -q "no TLS" <(timeout 60 "$PGTRAIL" check --source "host=127.0.0.1 $BASE sslmode=disable") || fail "sslmode=disable used TLS"
check_with 0 "host=127.0.0.1 $BASE sslmode=verify-ca sslrootcert=$TLS/ca.crt"
check_with 0 "$GOOD"
grep -qE '^ok +connection .*TLS TLSv1\.[23]$' "$WORK/check" || fail "verify-full did not report TLS"

echo "--- refused: wrong host name, wrong CA"
check_with 1 "host=127.0.0.1 $BASE sslmode=verify-full sslrootcert=$TLS/ca.crt"
grep -qE '^FAIL +connection .*server certificate for "localhost".* does not match host name "127.0.0.1"' "$WORK/check" || fail "wrong host name not refused"
check_with 1 "$GOOD sslrootcert=$TLS/other.crt"
grep -qE '^FAIL +connection .*certificate verify failed' "$WORK/check" || fail "wrong CA not refused"

echo "--- the sink over verify-full"
"$PGTRAIL" run --source "$GOOD" --log-level debug >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
wait_for "SELECT count(*) FROM pg_replication_slots WHERE active" 1
run "INSERT INTO items VALUES (1, 'over TLS')"
caught_up
expect_eq "change arrived" "$(q "SELECT after->>'v' FROM changes")" "over TLS"
expect_eq "the walsender uses TLS" \
    "$(q "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.backend_type = 'walsender'")" t
stop_sink

echo "--- the sink refuses a wrong host name (and keeps retrying, as for any connection failure)"
status=0
timeout 5 "$PGTRAIL" run --source "host=127.0.0.1 $BASE sslmode=verify-full sslrootcert=$TLS/ca.crt" >"$WORK/out" 2>&1 || status=$?
grep -q 'does not match host name "127.0.0.1"' "$WORK/out" || { cat "$WORK/out"; fail "no host name error from the sink"; }
head -1 "$WORK/out"
echo "ok"
