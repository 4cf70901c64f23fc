#!/usr/bin/env bash
# Options per command: `pgtrail COMMAND --help` lists exactly the options that command reads
# (shared groups attached only where they apply), and an option of another command is refused
# with exit status 2 and a line naming the commands that take it. No cluster needed.
set -euo pipefail
: "${PGTRAIL_BINARY_DIR:?run through ctest}"
PGTRAIL=$PGTRAIL_BINARY_DIR/sink/pgtrail

fail() { echo "FAIL: $*" >&2; exit 1; }

CONNECTIONS="--source --destination"
SSH="--ssh-host --ssh-known-hosts --ssh-identity --ssh-binary"
TRACKING="--slot --plugin --failover --publication --include-tables --exclude-tables --changes-table"
LOGGING="--log-level --log-format"
STREAMING="--exclude-origins --context-prefixes --max-context-bytes --batch-size --batch-time-ms
           --status-interval --stats-interval --receive-timeout --max-backoff"
SERVICE="--metrics-listen --metrics-max-connections --metrics-request-timeout --heartbeat-interval --monitor-interval --retained-wal-warn --stall-timeout"
POLICIES="--redact --redact-hash --redact-key-file"
declare -A EXPECTED=(
    [run]="--help --snapshot --accept-gap --nats --nats-stream --nats-replicas --nats-max-bytes --nats-max-age $CONNECTIONS $SSH $TRACKING $STREAMING $SERVICE $LOGGING $POLICIES
           --partition-by --retention --partition-check-interval --ignore-columns"
    [check]="--help --format --decode-timeout --retained-wal-warn --standby --nats --nats-stream --consumer --subject $CONNECTIONS $SSH $TRACKING $LOGGING"
    [setup]="--help --dry-run --tables --context --event-trigger --no-slot --source-role --destination-role --reader-role
             $CONNECTIONS $SSH $TRACKING $LOGGING --partition-by"
    [teardown]="--help --dry-run --drop-data $CONNECTIONS $SSH --slot --publication --changes-table $LOGGING"
    [snapshot]="--help $CONNECTIONS $SSH $TRACKING $LOGGING $POLICIES --partition-by"
    [history]="--help --color $CONNECTIONS --changes-table"
    [revert]="--help --transaction --context --dry-run --force $CONNECTIONS --changes-table"
    [forget]="--help --with-key --reason $CONNECTIONS --changes-table"
    [rewind]="--help --to --tables --dry-run --force --disable-triggers --wait $CONNECTIONS --slot --changes-table"
    [ui]="--help --listen --allow-revert $CONNECTIONS --changes-table $LOGGING"
    [ssh-keygen]="--help --file --comment"
    [write]="--help --nats --nats-stream --consumer --subject --fetch-batch --destination --batch-size --metrics-listen --changes-table $LOGGING"
)

sorted() { tr -s ' \n' '\n' <<<"$1" | grep . | sort; }

# The commands pgtrail --help lists are the ones checked here.
listed=$("$PGTRAIL" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF {print $1}' | sort)
[ "$listed" = "$(sorted "${!EXPECTED[*]}")" ] || fail "pgtrail --help lists the commands [$(echo $listed)]"

for command in "${!EXPECTED[@]}"; do
    help=$("$PGTRAIL" "$command" --help)
    actual=$(grep -oE '^ +(-h,)?--[a-z-]+' <<<"$help" | sed -E 's/^ +(-h,)?//' | sort)
    expected=$(sorted "${EXPECTED[$command]}")
    [ "$actual" = "$expected" ] ||
        fail "pgtrail $command --help: $(diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' | sed 's/^</missing/; s/^>/extra/' | paste -sd' ')"
    echo "ok: pgtrail $command --help lists its $(wc -l <<<"$actual") options"
done
grep -q -- "--batch-size" <<<"$("$PGTRAIL" revert --help)" && fail "revert --help shows --batch-size"
grep -q -- "--batch-size" <<<"$("$PGTRAIL" run --help)" || fail "run --help does not show --batch-size"

# expect_refused "COMMAND ARGS" OWNERS: exit status 2, CLI11's message, and which commands take it.
expect_refused() {
    local status=0
    # shellcheck disable=SC2086
    "$PGTRAIL" $1 >/tmp/pgtrail-options-test.$$ 2>&1 || status=$?
    local out; out=$(cat /tmp/pgtrail-options-test.$$); rm -f /tmp/pgtrail-options-test.$$
    [ "$status" = 2 ] || fail "pgtrail $1: exit status $status, expected 2"
    grep -q "not expected" <<<"$out" || fail "pgtrail $1: no error message: $out"
    if [ -n "$2" ]; then
        grep -qF "is an option of $2" <<<"$out" || fail "pgtrail $1: does not say '$2': $out"
    fi
    echo "ok: pgtrail $1 refused"
}
expect_refused "revert --transaction 1 --batch-size 5" "pgtrail run"
expect_refused "history --receive-timeout=9 orders 1" "pgtrail run"
expect_refused "history orders 1 --ssh-host u@h" "pgtrail run, pgtrail check, pgtrail setup, pgtrail teardown, pgtrail snapshot"
expect_refused "teardown --include-tables x" "pgtrail run, pgtrail check, pgtrail setup, pgtrail snapshot"
expect_refused "snapshot --metrics-listen 127.0.0.1:0" "pgtrail run"
expect_refused "check --tables a" "pgtrail setup"
expect_refused "setup --format json" "pgtrail check"
expect_refused "ssh-keygen --slot x" "pgtrail run, pgtrail check, pgtrail setup, pgtrail teardown, pgtrail snapshot"
expect_refused "run --drop-data" "pgtrail teardown"
expect_refused "run --no-such-option" ""
echo "ok"
