#!/usr/bin/env bash
# The page in a real browser (ui/e2e/e2e.mjs: Debian's chromium driven by playwright-core): what it
# shows compared with SQL and the API, a revert applied from the page and seen in the source, the CSV
# export compared with the API's rows. The changes live in another database (audit, with empty
# tables of the same shape for the functions' regclass), so the revert must reach the source.
# Screenshots go to $PGTRAIL_UI_SHOTS (default docs/ui/).
source "$(dirname "$0")/lib.sh"
UI_DIR=$PGTRAIL_SOURCE_DIR/ui
if [ ! -x /usr/bin/chromium ] || [ ! -d "$UI_DIR/node_modules/playwright-core" ]; then
    echo "SKIP: needs /usr/bin/chromium and ui/node_modules (the build's npm ci)"
    exit 77
fi
SHOTS=${PGTRAIL_UI_SHOTS:-$PGTRAIL_SOURCE_DIR/docs/ui}
mkdir -p "$SHOTS"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE DATABASE audit"
PGDATABASE=audit run "$WORKLOAD_TABLES"
DEST="host=127.0.0.1 port=$PORT user=postgres dbname=audit"
fill_workload --destination "$DEST"
dq() { PGDATABASE=audit q "$1"; }  # the destination, where the changes are
start_ui --allow-revert --destination "$DEST"
grep -q "reverts allowed (run in the source)" "$WORK/ui.log" || fail "ui does not say reverts run in the source"
grep -q 'id="app"' <(curl -sS "$UI_URL/") || fail "the binary serves the placeholder page: build with npm"

FEED_COUNT=$(dq "SELECT least(count(*), 50) FROM changes")
(cd "$UI_DIR" && UI_URL=$UI_URL SHOT_DIR=$SHOTS WORK=$WORK OUT=$WORK/seen.json node e2e/e2e.mjs) || fail "the browser run"
seen() { jq -r "$1" "$WORK/seen.json"; }
cat "$WORK/seen.json"

expect_eq "no errors in the page" "$(seen '.problems | length')" 0
expect_eq "feed rows" "$(seen .feed_rows)" "$FEED_COUNT"
expect_eq "keyboard: j j" "$(seen .selected_after_jj)" 2
expect_eq "keyboard: k" "$(seen .selected_after_k)" 1
expect_eq "filter kept in the URL" "$(seen .filtered_hash)" "#/feed?ctx.user_id=7"
expect_eq "rows of user 7" "$(seen '.filtered | join(",")')" \
    "$(dq "SELECT string_agg(concat_ws(' ', schema || '.' || \"table\", operation, primary_key), ',' ORDER BY commit_lsn DESC, ordinal DESC) FROM changes WHERE context @> '{\"user_id\": 7}'")"
expect_eq "timeline of orders 1" "$(seen .timeline_hash)" "#/row?table=public.orders&key=1"
expect_eq "timeline operations" "$(seen '[.timeline[].operation] | join(",")')" "CREATE,UPDATE"
expect_eq "timeline diff" "$(seen '.timeline[1].diff | join(",")')" 'amount 10 99,status "new" "paid"'
XID=$(dq "SELECT DISTINCT transaction_id FROM changes WHERE context->>'request_id' = 'abc'")
expect_eq "transaction view" "$(seen .transaction_hash)" "#/tx?id=$XID"
expect_eq "transaction rows" "$(seen '.transaction | length')" "$(dq "SELECT count(*) FROM changes WHERE transaction_id = $XID")"
grep -q "UPDATE public.orders SET" <(seen .revert_sql) || fail "revert SQL shown"
expect_eq "revert applied" "$(seen .revert_result)" "Reverted with 2 statements."
expect_eq "the row restored in the source" "$(q "SELECT status, amount, (SELECT count(*) FROM lines) FROM orders WHERE id = 1")" "new|10|0"
expect_eq "the destination's tables untouched" "$(dq "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM lines)")" 0
caught_up
expect_eq "the revert recorded with its own context" \
    "$(dq "SELECT string_agg(operation || ' ' || \"table\", ',' ORDER BY ordinal) FROM changes WHERE context @> '{\"pgtrail_revert\": {\"context\": {\"request_id\": \"abc\"}}}'")" \
    "DELETE lines,UPDATE orders"
[ "$(seen .activity_bars)" -gt 0 ] || fail "activity chart has no bars"

# The CSV the page downloaded (before the revert) against the API's rows for the same filter.
python3 - "$WORK/e2e-export.csv" <<'PY' >"$WORK/export.ids"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][:5] == ["id", "committed_at", "schema", "table", "operation"], rows[0]
print("\n".join(r[0] for r in rows[1:]))
PY
curl -sS "$UI_URL/api/feed?ctx.user_id=7&limit=500" | jq -r '.changes[].id' >"$WORK/api.ids"
# The revert added changes with its own context, not user 7's: the same set.
expect_eq "export CSV = API rows" "$(cat "$WORK/export.ids")" "$(cat "$WORK/api.ids")"
[ -s "$WORK/api.ids" ] || fail "no rows exported"
for shot in feed feed-filtered timeline transaction revert activity feed-narrow; do
    [ -s "$SHOTS/$shot.png" ] || fail "no screenshot $shot.png"
done
stop_ui
echo "PASS ui e2e_test"
