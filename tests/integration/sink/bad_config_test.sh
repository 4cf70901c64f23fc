#!/usr/bin/env bash
# Bad configuration: pgtrail exits non-zero at once with one clear sentence and the SQL
# that fixes it (plugin not installed, not allowed by output_plugin_libraries, no
# REPLICATION privilege, wal_level); bad options are refused; --help works everywhere.
source "$(dirname "$0")/lib.sh"

# Into files first: grep -q would close the pipe early, and pipefail would see the SIGPIPE.
"$PGTRAIL" --help >"$WORK/help.out" && grep -q "run" "$WORK/help.out" || fail "pgtrail --help does not list run"
"$PGTRAIL" run --help >"$WORK/run-help.out" && grep -q -- "--changes-table" "$WORK/run-help.out" || fail "pgtrail run --help"
for bad in "--log-format xml" "--slot Bad-Name" "--changes-table a;b" "--batch-size 0" "--no-such-option"; do
    status=0
    # shellcheck disable=SC2086
    "$PGTRAIL" run $bad >"$WORK/out" 2>&1 || status=$?
    expect_eq "exit status for $bad" "$status" 2
done

# expect_fatal PATTERN [options]: the sink exits 1 within 30 s and logs PATTERN
expect_fatal() {
    local pattern=$1; shift
    local status=0
    timeout 30 "$PGTRAIL" run "$@" >"$WORK/out" 2>&1 || status=$?
    [ "$status" = 1 ] || { cat "$WORK/out" >&2; fail "expected exit status 1 for [$pattern], got $status"; }
    grep -qF -- "$pattern" "$WORK/out" || { cat "$WORK/out" >&2; fail "expected [$pattern] in the output"; }
    [ "$(grep -c " error " "$WORK/out")" = 1 ] || { cat "$WORK/out" >&2; fail "expected one error line"; }
    grep " error " "$WORK/out"
}

# A cluster that cannot load the plugin (not in its library path).
start_cluster noplugin
if [ ! -f "$("$PG_CONFIG" --pkglibdir)/pgtrail.so" ]; then
    expect_fatal "the pgtrail output plugin is not installed" --plugin pgtrail --source "$(SOURCE_CONN)"
    # --plugin auto (the default) falls back to pgoutput there, which needs a publication
    # (default pgtrail, the one setup creates).
    expect_fatal "decoding with pgoutput needs a publication, and pgtrail (the default without --publication) does not exist; run: pgtrail setup (or CREATE PUBLICATION pgtrail FOR ALL TABLES WITH (publish_via_partition_root = true);" --source "$(SOURCE_CONN)"
else
    echo "pgtrail.so is installed system-wide: skipping the not-installed case"
fi
run "ALTER SYSTEM SET output_plugin_libraries = pgoutput"
run "SELECT pg_reload_conf()"
sleep 0.5
expect_fatal "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, pgtrail;" --plugin pgtrail --source "$(SOURCE_CONN)"
run "CREATE ROLE plain LOGIN"
expect_fatal "ALTER ROLE plain REPLICATION;" --source "host=127.0.0.1 port=$PORT user=plain dbname=postgres"
run "ALTER SYSTEM SET wal_level = replica"
"$CLUSTER" restart "$WORK/noplugin" fast
expect_fatal "ALTER SYSTEM SET wal_level = logical;" --source "$(SOURCE_CONN)"

# Passwords come from DB_PASSWORD and never show in logs or ps.
status=0
DB_HOST=127.0.0.1 DB_PORT=$PORT DB_NAME=nosuchdb DB_USER=postgres DB_PASSWORD=s3cret-pw timeout 30 "$PGTRAIL" run >"$WORK/out" 2>&1 || status=$?
expect_eq "missing database is fatal" "$status" 1
grep -q "nosuchdb" "$WORK/out" || { cat "$WORK/out"; fail "no mention of the database"; }
grep -q "s3cret-pw" "$WORK/out" && fail "password in the log"
cat "$WORK/out"

# JSON logs: every line is a JSON object.
status=0
timeout 30 "$PGTRAIL" run --log-format json --source "$(SOURCE_CONN)" >"$WORK/out" 2>&1 || status=$?
expect_eq "json log run fails (wal_level)" "$status" 1
while IFS= read -r line; do
    expect_eq "json log line" "$(q "SELECT (\$j\$$line\$j\$::jsonb) ? 'msg'")" t
done <"$WORK/out"
head -1 "$WORK/out"
# On a server that can decode: a missing publication and a bad plugin option are fatal too.
start_cluster good --plugin-dir "$PLUGIN_DIR"
expect_fatal "publication nope does not exist in database postgres; run: CREATE PUBLICATION nope FOR ALL TABLES;" --source "$(SOURCE_CONN)" --publication nope
# ... refused before the slot is made: a slot created first would hold WAL from before the
# publication, whose changes are not published.
expect_eq "no slot left by the refused run" "$(q "SELECT count(*) FROM pg_replication_slots")" 0
expect_fatal 'could not parse value "a.b.c" for option "include-tables"' --source "$(SOURCE_CONN)" --include-tables a.b.c
expect_fatal "run: CREATE SCHEMA audit;" --source "$(SOURCE_CONN)" --changes-table audit.changes
echo "ok"
