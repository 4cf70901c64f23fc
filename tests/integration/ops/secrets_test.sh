#!/usr/bin/env bash
# Secrets stay secret. setup sends a role's password encrypted (PQencryptPasswordConn), so a
# server logging every DDL statement (log_statement = ddl) never sees the plaintext, and the role
# logs in with it over SCRAM. A password inside --source or --destination (URL or conninfo) is
# warned about, pointing to the environment or the password file, and never printed in the log.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster sec --plugin-dir "$PLUGIN_DIR" --set "log_statement = ddl"
SERVER_LOG=$WORK/sec/server.log
run "CREATE TABLE orders (id int PRIMARY KEY, note text)"
# hba_first LINE: puts LINE first in pg_hba.conf (in place: the file stays the server user's) and reloads.
hba_first() {
    local hba=$WORK/sec/data/pg_hba.conf
    { echo "$1"; cat "$hba"; } >"$WORK/hba.new" && cat "$WORK/hba.new" >"$hba"
    run "SELECT pg_reload_conf()"
}
SRC_SECRET='Pl41n-s0urce-S3cret'
DST_SECRET='Pl41n-dest-S3cret'

echo "--- setup: the roles' passwords"
PGTRAIL_SOURCE_ROLE_PASSWORD=$SRC_SECRET PGTRAIL_DESTINATION_ROLE_PASSWORD=$DST_SECRET \
    "$PGTRAIL" setup --source "$(SOURCE_CONN)" --tables orders --source-role trail_src --destination-role trail_dst >"$WORK/setup.out" 2>&1 ||
    fail "setup failed: $(cat "$WORK/setup.out")"
grep -q "CREATE ROLE" "$SERVER_LOG" || fail "the server did not log the DDL (log_statement = ddl): $(tail -5 "$SERVER_LOG")"
for secret in "$SRC_SECRET" "$DST_SECRET"; do
    grep -qF "$secret" "$SERVER_LOG" && fail "the server log holds a plaintext password: $(grep -F "$secret" "$SERVER_LOG" | head -2)"
    grep -qF "$secret" "$WORK/setup.out" && fail "setup printed a plaintext password"
done
expect_eq "stored as SCRAM verifiers" "$(q "SELECT string_agg(left(rolpassword, 14), ',' ORDER BY rolname) FROM pg_authid WHERE rolname IN ('trail_src', 'trail_dst')")" \
    "SCRAM-SHA-256\$,SCRAM-SHA-256\$"
# The roles log in with the plaintext over SCRAM, and not with another password.
hba_first "host all trail_src,trail_dst 127.0.0.1/32 scram-sha-256"
expect_eq "trail_src logs in" "$(PGPASSWORD=$SRC_SECRET psql -X -At -h 127.0.0.1 -U trail_src -d postgres -c 'SELECT current_user')" trail_src
expect_eq "trail_dst logs in" "$(PGPASSWORD=$DST_SECRET psql -X -At -h 127.0.0.1 -U trail_dst -d postgres -c 'SELECT current_user')" trail_dst
PGPASSWORD=wrong psql -X -At -h 127.0.0.1 -U trail_src -d postgres -c 'SELECT 1' >/dev/null 2>&1 && fail "trail_src logs in with a wrong password"

echo "--- a password on the command line"
run "ALTER ROLE postgres PASSWORD 'Cmd-L1ne-Pw'"
export PGPASSWORD=Cmd-L1ne-Pw  # the test's own psql
hba_first "host all postgres 127.0.0.1/32 scram-sha-256"
URL="postgresql://postgres:Cmd-L1ne-Pw@127.0.0.1:$PORT/postgres"
CONNINFO="host=127.0.0.1 port=$PORT user=postgres dbname=postgres password=Cmd-L1ne-Pw"
env -u PGPASSWORD "$PGTRAIL" run --source "$URL" --destination "$CONNINFO" --plugin pgtrail --log-level debug >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO orders VALUES (1, 'x')"
caught_up
stop_sink
grep -q -- "--source holds a password.*DB_PASSWORD.*password file" "$WORK/sink.log" || fail "no warning for --source: $(head -5 "$WORK/sink.log")"
grep -q -- "--destination holds a password.*DESTINATION_DB_PASSWORD.*password file" "$WORK/sink.log" || fail "no warning for --destination"
grep -qF "Cmd-L1ne-Pw" "$WORK/sink.log" && fail "the log prints the password: $(grep -F "Cmd-L1ne-Pw" "$WORK/sink.log" | head -2)"
expect_eq "the row arrived" "$(q "SELECT count(*) FROM changes WHERE \"table\" = 'orders'")" 1
# From the environment: no warning.
DB_PASSWORD=Cmd-L1ne-Pw "$PGTRAIL" check --source "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" >"$WORK/check.out" 2>&1 || true
grep -q "holds a password" "$WORK/check.out" && fail "warned although the password came from DB_PASSWORD"
status=0
"$PGTRAIL" check --source "$URL" >"$WORK/check_url.out" 2>&1 || status=$?
grep -q -- "--source holds a password" "$WORK/check_url.out" || fail "check does not warn: $(head -5 "$WORK/check_url.out")"
grep -qF "Cmd-L1ne-Pw" "$WORK/check_url.out" && fail "check prints the password"
echo "ok"
