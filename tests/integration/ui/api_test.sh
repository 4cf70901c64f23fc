#!/usr/bin/env bash
# pgtrail ui's JSON API on changes written by a real pgtrail run: each endpoint's answer compared with
# the same question asked in SQL; hostile filters answered 400 or empty, never 500; the token, Host
# and CSRF checks; the refusal to listen beyond loopback without a token; reverts only when allowed.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
fill_workload

# The refusal comes before anything else, with its reason and exit status 2.
status=0
env -u PGTRAIL_UI_TOKEN "$PGTRAIL" ui --source "$(SOURCE_CONN)" --listen 0.0.0.0:0 >"$WORK/refused.log" 2>&1 || status=$?
expect_eq "ui on 0.0.0.0 without a token exits 2" "$status" 2
grep -q "refusing to listen on 0.0.0.0:0 without a token" "$WORK/refused.log" || { cat "$WORK/refused.log"; fail "refusal reason"; }
grep -q "PGTRAIL_UI_TOKEN" "$WORK/refused.log" || fail "refusal names PGTRAIL_UI_TOKEN"

start_ui --allow-revert
echo "ui at $UI_URL"

# api PATH: the body (status in $WORK/status); curl's own URL handling is bypassed (--path-as-is, -g).
api() {
    curl -sS -g --path-as-is -o "$WORK/body" -w '%{http_code}' "${@:2}" "$UI_URL$1" >"$WORK/status"
    cat "$WORK/body"
}
expect_status() {  # expect_status WHAT EXPECTED
    [ "$(cat "$WORK/status")" = "$2" ] || fail "$1: HTTP $(cat "$WORK/status"), expected $2: $(head -c 300 "$WORK/body")"
}
ids_sql() { q "SELECT coalesce(string_agg(id::text, ',' ORDER BY commit_lsn DESC, ordinal DESC), '') FROM (SELECT * FROM changes WHERE $1 ORDER BY commit_lsn DESC, ordinal DESC LIMIT ${2:-1000}) c"; }
ids_json() { jq -r '[.changes[].id] | join(",")'; }

# --- feed: first page, the pages walked with the cursor, filters ---
expect_eq "feed, first page" "$(api '/api/feed?limit=3' | ids_json)" "$(ids_sql true 3)"
expect_status "feed" 200
all="" cursor=""
for _ in $(seq 1 20); do
    page=$(api "/api/feed?limit=4${cursor:+&before=$cursor}")
    got=$(echo "$page" | ids_json)
    [ -n "$got" ] && all="${all:+$all,}$got"
    cursor=$(echo "$page" | jq -r '.next // empty')
    [ -n "$cursor" ] || break
done
expect_eq "feed, every page by the cursor" "$all" "$(ids_sql true)"
expect_eq "feed, table + context user" "$(api '/api/feed?table=public.orders&ctx.user_id=7' | ids_json)" \
    "$(ids_sql "\"table\" = 'orders' AND (context @> '{\"user_id\": \"7\"}' OR context @> '{\"user_id\": 7}')")"
expect_eq "feed, a user id stored as a string" "$(api '/api/feed?ctx.user_id=8' | ids_json)" "$(ids_sql "context @> '{\"user_id\": \"8\"}'")"
[ -n "$(api '/api/feed?ctx.user_id=8' | ids_json)" ] || fail "feed, user 8 has changes"
expect_eq "feed, operation (deleted rows included)" "$(api '/api/feed?op=DELETE' | ids_json)" "$(ids_sql "operation = 'DELETE'")"
expect_eq "feed, key" "$(api '/api/feed?table=orders&key=3' | ids_json)" "$(ids_sql "\"table\" = 'orders' AND primary_key = '3'")"
XID=$(q "SELECT DISTINCT transaction_id FROM changes WHERE context->>'request_id' = 'abc'")
expect_eq "feed, transaction" "$(api "/api/feed?tx=$XID" | ids_json)" "$(ids_sql "transaction_id = $XID")"
expect_eq "feed, context JSON" "$(api '/api/feed?context=%7B%22request_id%22%3A%22def%22%7D' | ids_json)" "$(ids_sql "context @> '{\"request_id\": \"def\"}'")"
MID=$(q "SELECT committed_at FROM changes ORDER BY commit_lsn, ordinal OFFSET 6 LIMIT 1")
MID_URL=$(jq -rn --arg v "$MID" '$v|@uri')
expect_eq "feed, from" "$(api "/api/feed?from=$MID_URL" | ids_json)" "$(ids_sql "committed_at >= '$MID'")"
expect_eq "feed, to" "$(api "/api/feed?to=$MID_URL" | ids_json)" "$(ids_sql "committed_at < '$MID'")"
expect_eq "feed, no match" "$(api '/api/feed?table=orders&op=TRUNCATE' | jq -c '[.changes, .next]')" '[[],null]'
first=$(api '/api/feed?limit=1')
expect_eq "feed row fields" "$(echo "$first" | jq -r '.changes[0] | [.schema, .table, .operation, .primary_key, (.after.id|tostring)] | join(" ")')" \
    "$(q "SELECT concat_ws(' ', schema, \"table\", operation, primary_key, after->>'id') FROM changes ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1")"

# --- row timeline, row as of, transaction ---
timeline=$(api '/api/timeline?table=orders&key=1')
expect_status "timeline" 200
expect_eq "timeline: the changes of the row" "$(echo "$timeline" | jq -r '[.changes[].id] | join(",")')" \
    "$(q "SELECT string_agg(id::text, ',' ORDER BY commit_lsn, ordinal) FROM pgtrail.history('orders', '1')")"
expect_eq "timeline: the diff" "$(echo "$timeline" | jq -c '.changes[1].diff')" '{"amount":[10,99],"status":["new","paid"]}'
expect_eq "timeline: the context" "$(echo "$timeline" | jq -r '.changes[1].context.request_id')" abc
expect_eq "timeline: composite key" "$(api '/api/timeline?table=lines&key=%5B1%2C1%5D' | jq -c '.changes[0].diff')" '{"qty":[null,3],"line":[null,1],"order_id":[null,1]}'
AT=$(q "SELECT committed_at FROM changes WHERE \"table\" = 'orders' AND primary_key = '1' AND operation = 'CREATE'")
AT_URL=$(jq -rn --arg v "$AT" '$v|@uri')
expect_eq "row as of its creation" "$(api "/api/row?table=orders&key=1&at=$AT_URL" | jq -c '.row')" '{"id":1,"note":"n","amount":10,"status":"new"}'
expect_eq "row before it existed" "$(api '/api/row?table=orders&key=1&at=2000-01-01' | jq -c '.row')" null
tx=$(api "/api/transaction?id=$XID")
expect_eq "transaction" "$(echo "$tx" | jq -r '[.changes[].id] | join(",")')" \
    "$(q "SELECT string_agg(id::text, ',' ORDER BY commit_lsn, ordinal) FROM changes WHERE transaction_id = $XID")"
expect_eq "transaction context" "$(echo "$tx" | jq -r '[.changes[].context.user_id] | unique | join(",")')" 7

# --- activity, tables ---
expect_eq "activity: counts per bucket, table, operation" \
    "$(api '/api/activity?bucket=minute' | jq -r '[.counts[] | "\(.table):\(.operation):\(.count)"] | sort | join(",")')" \
    "$(q "SELECT string_agg(x, ',' ORDER BY x COLLATE \"C\") FROM (SELECT \"table\" || ':' || operation || ':' || count(*) AS x FROM changes GROUP BY date_trunc('minute', committed_at), \"table\", operation) s")"
expect_eq "activity, filtered" "$(api '/api/activity?bucket=day&ctx.user_id=7' | jq '[.counts[].count] | add')" \
    "$(q "SELECT count(*) FROM changes WHERE context @> '{\"user_id\": 7}'")"
expect_eq "tables" "$(api '/api/tables' | jq -r '[.tables[] | "\(.schema).\(.table)"] | join(",")')" "public.lines,public.orders"

# --- live tail ---
NEWEST=$(api '/api/feed?limit=1' | jq -r '.newest')
expect_eq "tail: nothing new" "$(api "/api/tail?after=$NEWEST" | jq -c '.changes')" '[]'
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": 9}'); UPDATE orders SET note = 'tail' WHERE id = 5; COMMIT;"
caught_up
tail_page=$(api "/api/tail?after=$NEWEST")
expect_eq "tail: the new change" "$(echo "$tail_page" | jq -r '[.changes[].context.user_id] | join(",")')" 9
expect_eq "tail: its cursor" "$(echo "$tail_page" | jq -r '.newest')" "$(q "SELECT commit_lsn || '.' || ordinal FROM changes ORDER BY commit_lsn DESC, ordinal DESC LIMIT 1")"

# --- export, streamed ---
curl -sS -D "$WORK/export.headers" -o "$WORK/export.csv" "$UI_URL/api/export.csv"
grep -qi '^transfer-encoding: chunked' "$WORK/export.headers" || fail "export.csv is not chunked"
expect_eq "export.csv rows" "$(($(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))))' "$WORK/export.csv") - 1))" "$(q "SELECT count(*) FROM changes")"
expect_eq "export.csv ids in feed order" "$(python3 -c 'import csv,sys; print(",".join(r[0] for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]))' "$WORK/export.csv")" "$(ids_sql true)"
expect_eq "export.csv keeps the quoted note" "$(python3 -c 'import csv,sys,json; print([json.loads(r[11])["note"] for r in list(csv.reader(open(sys.argv[1], newline="")))[1:] if r[3]=="orders" and r[5]=="3" and r[4]=="UPDATE"][0])' "$WORK/export.csv")" \
    "$(q "SELECT note FROM orders WHERE id = 3")"
expect_eq "export.ndjson, filtered" "$(curl -sS "$UI_URL/api/export.ndjson?ctx.user_id=7" | jq -rs '[.[].id] | join(",")')" \
    "$(ids_sql "context @> '{\"user_id\": 7}'")"
q "INSERT INTO changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal)
   SELECT g::text, jsonb_build_object('id', g), 'postgres', 'public', 'bulk', 'CREATE', now(), now(), 1, 0, 1000 + g, 0 FROM generate_series(1, 5000) g" >/dev/null
expect_eq "export.ndjson over several fetches" "$(curl -sS "$UI_URL/api/export.ndjson?table=bulk" | wc -l)" 5000
run "DELETE FROM changes WHERE \"table\" = 'bulk'"
# Cells a spreadsheet would run as formulas start with an apostrophe (OWASP CSV injection); the rest unchanged.
q "INSERT INTO changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal)
   SELECT k, jsonb_build_object('id', k), 'postgres', 'public', 'inject', 'CREATE', now(), now(), 1, 0, 2000 + n, 0
   FROM unnest(ARRAY['=HYPERLINK(\"http://x\",\"y\")', '+1', '-5', '@SUM(A1)', E'\\tx', E'\\rx', 'a=b']) WITH ORDINALITY AS t(k, n)" >/dev/null
curl -sS -o "$WORK/inject.csv" "$UI_URL/api/export.csv?table=inject"
python3 - "$WORK/inject.csv" >"$WORK/inject.out" <<'PY'
import csv, sys
keys = [r[5] for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]]
print(keys == ["a=b", "'\rx", "'\tx", "'@SUM(A1)", "'-5", "'+1", "'=HYPERLINK(\"http://x\",\"y\")"] or keys)
PY
expect_eq "export.csv neutralises formulas" "$(cat "$WORK/inject.out")" True
run "DELETE FROM changes WHERE \"table\" = 'inject'"

# --- revert: the SQL, the CSRF defence, applying it ---
plan=$(api "/api/revert-sql?transaction=$XID")
expect_eq "revert-sql statements" "$(echo "$plan" | jq -r '.statements | join("\n")')" "$(q "SELECT string_agg(s, E'\n') FROM (SELECT s FROM pgtrail.revert_sql($XID) s) x")"
expect_eq "revert-sql: no conflict yet" "$(echo "$plan" | jq -r '.conflict')" null
expect_eq "revert-sql: unknown transaction is 404" "$(api '/api/revert-sql?transaction=1' >/dev/null; cat "$WORK/status")" 404
api "/api/revert?transaction=$XID" -X POST >/dev/null
expect_status "revert without the CSRF header" 403
api "/api/revert?transaction=$XID" -X POST -H 'X-Pgtrail-Csrf: 1' -H 'Origin: http://evil.example' >/dev/null
expect_status "revert from another origin" 403
api "/api/revert?transaction=$XID" >/dev/null
expect_status "revert by GET" 404
expect_eq "nothing reverted yet" "$(q "SELECT status FROM orders WHERE id = 1")" paid
REQ=$(jq -rn '{"request_id":"abc"}|tostring|@uri')
result=$(api "/api/revert?context=$REQ" -X POST -H 'X-Pgtrail-Csrf: 1' -H "Origin: $UI_URL")
expect_status "revert of request abc" 200
expect_eq "revert: statements applied" "$(echo "$result" | jq '.statements | length')" 2
expect_eq "revert: the row restored in the source" "$(q "SELECT status, amount, (SELECT count(*) FROM lines) FROM orders WHERE id = 1")" "new|10|0"
caught_up
api "/api/revert?context=$REQ" -X POST -H 'X-Pgtrail-Csrf: 1' >/dev/null
expect_status "reverting twice: refused with the conflict" 409
grep -q "cannot revert" "$WORK/body" || fail "conflict message: $(cat "$WORK/body")"
stop_ui

# Without --allow-revert: the SQL is shown, applying is refused.
start_ui
api "/api/revert?transaction=$XID" -X POST -H 'X-Pgtrail-Csrf: 1' >/dev/null
expect_status "revert without --allow-revert" 403
expect_eq "config says so" "$(api /api/config | jq -c .)" '{"allow_revert":false}'

# --- hostile filters: 400 or an empty answer, never 500, nothing changed ---
before_count=$(q "SELECT count(*) FROM changes")
hostile=("'" "';DROP%20TABLE%20changes;--" '"' '%27%20OR%201%3D1--' '%E2%98%83' '%F0%9F%98%80' '%C3%28' '%FF%FE' '%00' '%' '%zz'
         "$(head -c 3000 /dev/zero | tr '\0' a)" '1e999999' '-1' '99999999999999999999999' 'null' '[]' '{}' '%7B%22a%22%3A' '2026-13-45' 'yesterday%3B' '..' '1.2.3')
endpoints=("/api/feed?table=" "/api/feed?op=" "/api/feed?key=" "/api/feed?from=" "/api/feed?to=" "/api/feed?tx=" "/api/feed?ctx.user_id="
           "/api/feed?context=" "/api/feed?before=" "/api/feed?limit=" "/api/tail?after=" "/api/timeline?table=orders&key=" "/api/timeline?key=1&table="
           "/api/row?table=orders&key=1&at=" "/api/transaction?id=" "/api/activity?bucket=" "/api/revert-sql?transaction=" "/api/revert-sql?context="
           "/api/revert-sql?change=" "/api/export.csv?from=" "/api/export.ndjson?context=" "/api/feed?ctx." "/api/feed?unknown=")
checked=0
for endpoint in "${endpoints[@]}"; do
    for value in "${hostile[@]}"; do
        code=$(curl -sS -g --path-as-is -o "$WORK/hostile" -w '%{http_code}' "$UI_URL$endpoint$value")
        case $code in
            400 | 404) jq -e '.error | type == "string"' "$WORK/hostile" >/dev/null || fail "$endpoint$value: $code without a JSON error" ;;
            200) ;;
            *) fail "$endpoint$(echo "$value" | head -c 60): HTTP $code: $(head -c 300 "$WORK/hostile")" ;;
        esac
        grep -qiE 'SELECT |FROM |WHERE |\$[0-9]' "$WORK/hostile" && [ "$code" != 200 ] && fail "$endpoint$value: the error shows SQL: $(cat "$WORK/hostile")"
        checked=$((checked + 1))
    done
done
echo "hostile requests: $checked answered 200/400/404"
expect_eq "hostile requests changed nothing" "$(q "SELECT count(*) FROM changes")" "$before_count"
expect_eq "a hostile key finds nothing" "$(api "/api/feed?key=%27%20OR%201%3D1--" | jq -c '.changes')" '[]'
api "/api/feed?$(head -c 20000 /dev/zero | tr '\0' a)=1" >/dev/null || true
[ "$(cat "$WORK/status")" != 500 ] || fail "a huge request answered 500"
kill -0 "$UI_PID" || fail "the server died under hostile requests"

# --- headers, the page, the Host check ---
curl -sS -D "$WORK/page.headers" -o "$WORK/page.html" "$UI_URL/"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$WORK/page.headers" || fail "no strict CSP on the page"
grep -qi '^x-frame-options: DENY' "$WORK/page.headers" || fail "no X-Frame-Options"
grep -q '<div id="app">\|pgtrail ui' "$WORK/page.html" || fail "the page"
for asset in $(grep -o '/assets/[^"]*' "$WORK/page.html"); do
    api "$asset" >/dev/null
    expect_status "page asset $asset" 200
done
grep -q 'http' <(grep -o 'src="[^"]*"' "$WORK/page.html") && fail "the page loads something from elsewhere"
api /api/feed -H 'Host: evil.example:8080' >/dev/null
expect_status "a foreign Host on loopback (DNS rebinding)" 421
stop_ui

# --- the token ---
export PGTRAIL_UI_TOKEN=s3cret-token-for-the-test
start_ui
api /api/feed >/dev/null
expect_status "no token" 401
api /api/feed -H 'Authorization: Bearer wrong' >/dev/null
expect_status "wrong token" 401
api /api/feed -H "Authorization: Bearer $PGTRAIL_UI_TOKEN" >/dev/null
expect_status "bearer token" 200
api "/?token=$PGTRAIL_UI_TOKEN" -D "$WORK/login.headers" >/dev/null
expect_status "token link" 303
grep -qi "^set-cookie: pgtrail_ui_token=$PGTRAIL_UI_TOKEN; Path=/; HttpOnly; SameSite=Strict" "$WORK/login.headers" || fail "token cookie"
api /api/feed -H "Cookie: pgtrail_ui_token=$PGTRAIL_UI_TOKEN" >/dev/null
expect_status "token cookie" 200
api /api/feed -H "Cookie: pgtrail_ui_token=nope" >/dev/null
expect_status "wrong cookie" 401
stop_ui
echo "PASS ui api_test"
