#!/usr/bin/env bash
# --failover on PostgreSQL 15 (this machine): failover slots exist from 17 on, so run, setup,
# snapshot and check each say so in one sentence and create nothing. (On 17 and 18 the failover
# itself is tested by tests/versions/failover_test.sh through scripts/test-pg.sh.)
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster failover --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE orders (id int PRIMARY KEY)"
expected="--failover needs PostgreSQL 17 or later (failover slots), but the source runs 15; run without --failover"

status=0
timeout 60 "$PGTRAIL" run --source "$(SOURCE_CONN)" --plugin pgtrail --failover >"$WORK/run.log" 2>&1 || status=$?
cat "$WORK/run.log"
expect_eq "run --failover exits 1" "$status" 1
grep -qF -- "$expected" "$WORK/run.log" || fail "run --failover: no clear error"

status=0
"$PGTRAIL" setup --source "$(SOURCE_CONN)" --tables orders --failover --dry-run >"$WORK/setup.log" 2>&1 || status=$?
cat "$WORK/setup.log"
[ "$status" != 0 ] || fail "setup --failover succeeded on 15"
grep -qF -- "$expected" "$WORK/setup.log" || fail "setup --failover: no clear error"

status=0
"$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --failover >"$WORK/snapshot.log" 2>&1 || status=$?
cat "$WORK/snapshot.log"
[ "$status" != 0 ] || fail "snapshot --failover succeeded on 15"
grep -qF -- "$expected" "$WORK/snapshot.log" || fail "snapshot --failover: no clear error"

"$PGTRAIL" check --source "$(SOURCE_CONN)" --plugin pgtrail --failover >"$WORK/check.log" 2>&1 || true
cat "$WORK/check.log"
grep -qE "^FAIL +failover +--failover needs PostgreSQL 17" "$WORK/check.log" || fail "check --failover: no FAIL item"

expect_eq "no slot was created" "$(q "SELECT count(*) FROM pg_replication_slots")" 0
echo "ok"
