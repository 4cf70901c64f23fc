#!/usr/bin/env bash
# pgtrail history and pgtrail revert against the destination (here the source), on changes written by
# pgtrail snapshot + pgtrail run: the timeline (plain when piped, coloured with --color always), dry runs
# that change nothing, a revert refused because of a later change (clear error, nothing changed), the
# same with --force, and a revert by context.
source "$(dirname "$0")/../sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
CONN=$(SOURCE_CONN)

run "CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric, note text);
     CREATE TABLE lines (order_id int, line int, qty int, PRIMARY KEY (order_id, line));
     INSERT INTO orders SELECT g, 'new', g * 10, 'n' FROM generate_series(1, 5) g;"
"$PGTRAIL" snapshot --source "$CONN" >"$WORK/snapshot.log" 2>&1 || { cat "$WORK/snapshot.log"; fail "snapshot"; }
start_sink
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": 7, \"request_id\": \"abc\"}');
     UPDATE orders SET status = 'paid', amount = 99 WHERE id = 1; INSERT INTO lines VALUES (1, 1, 3); COMMIT;"
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"request_id\": \"def\"}');
     UPDATE orders SET note = 'by def' WHERE id = 3; DELETE FROM orders WHERE id = 4; COMMIT;"
caught_up
XID=$(q "SELECT DISTINCT transaction_id FROM changes WHERE context->>'request_id' = 'abc'")

# history: plain when piped.
"$PGTRAIL" history --source "$CONN" orders 1 >"$WORK/history.txt" 2>"$WORK/history.err" || { cat "$WORK/history.err"; fail "history"; }
cat "$WORK/history.txt"
grep -q $'\033' "$WORK/history.txt" && fail "history: colours in piped output"
grep -Eq "^[0-9-]+ [0-9:.+]+ +SNAPSHOT +baseline \(initial snapshot\)$" "$WORK/history.txt" || fail "history: no SNAPSHOT line"
grep -Eq "UPDATE +transaction $XID +\{\"user_id\": 7, \"request_id\": \"abc\"\}" "$WORK/history.txt" || fail "history: no UPDATE line with context"
grep -q '    status  "new" → "paid"' "$WORK/history.txt" || fail "history: no status diff"
grep -q '    amount  10 → 99' "$WORK/history.txt" || fail "history: no amount diff"
grep -q "2 changes of public.orders key 1" "$WORK/history.txt" || fail "history: no summary"
"$PGTRAIL" history --source "$CONN" --changes-table changes --color always orders 1 >"$WORK/history_color.txt"
grep -q $'\033\[33m' "$WORK/history_color.txt" || fail "history --color always: no colours"
"$PGTRAIL" history --source "$CONN" lines '[1, 1]' >"$WORK/lines.txt"
grep -q '    qty       null → 3' "$WORK/lines.txt" || { cat "$WORK/lines.txt"; fail "history of a composite key"; }
"$PGTRAIL" history --source "$CONN" orders 42 >"$WORK/none.txt" 2>&1 || fail "history of an unknown key fails"
grep -q "no changes recorded for key 42" "$WORK/none.txt" || fail "history: unknown key message"
status=0
"$PGTRAIL" history --source "$CONN" nosuchtable 1 >"$WORK/bad.txt" 2>&1 || status=$?
expect_eq "history of a missing table exits 1" "$status" 1
grep -q 'pgtrail history: relation "nosuchtable" does not exist' "$WORK/bad.txt" || { cat "$WORK/bad.txt"; fail "history: missing table message"; }

# revert: options.
status=0; "$PGTRAIL" revert --source "$CONN" >/dev/null 2>&1 || status=$?
expect_eq "revert without --transaction or --context" "$status" 2
status=0; "$PGTRAIL" revert --source "$CONN" --transaction 1 --context '{"a":1}' >/dev/null 2>&1 || status=$?
[ "$status" != 0 ] || fail "revert with both --transaction and --context succeeded"

# revert --dry-run prints the statements and changes nothing.
"$PGTRAIL" revert --source "$CONN" --transaction "$XID" --dry-run >"$WORK/dry.sql" 2>"$WORK/dry.err"
cat "$WORK/dry.sql" "$WORK/dry.err"
grep -q "^DELETE FROM public.lines WHERE" "$WORK/dry.sql" || fail "dry run: no DELETE"
grep -q "^UPDATE public.orders SET .*status = 'new'" "$WORK/dry.sql" || fail "dry run: no UPDATE"
grep -q "2 statements would undo transaction $XID (dry run: nothing changed)" "$WORK/dry.err" || fail "dry run: summary"
expect_eq "dry run changed nothing" "$(q "SELECT status FROM orders WHERE id = 1")" paid

# A later change to the same row: refused, clearly, and nothing changes.
run "UPDATE orders SET amount = 100 WHERE id = 1"
caught_up
status=0
"$PGTRAIL" revert --source "$CONN" --transaction "$XID" >"$WORK/refused.out" 2>"$WORK/refused.err" || status=$?
cat "$WORK/refused.err"
expect_eq "refused revert exits 1" "$status" 1
grep -q "pgtrail revert: cannot revert: row with key 1 of public.orders was changed later: UPDATE in transaction" "$WORK/refused.err" || fail "refusal message"
grep -q "hint: .*force" "$WORK/refused.err" || fail "refusal hint"
grep -q "nothing was changed" "$WORK/refused.err" || fail "refusal: nothing was changed"
expect_eq "refused revert changed nothing" "$(q "SELECT status, amount, (SELECT count(*) FROM lines) FROM orders WHERE id = 1")" "paid|100|1"

# --force applies it.
"$PGTRAIL" revert --source "$CONN" --transaction "$XID" --force >"$WORK/forced.out" 2>"$WORK/forced.err" || { cat "$WORK/forced.err"; fail "forced revert"; }
grep -q "reverted transaction $XID with 2 statements" "$WORK/forced.err" || fail "forced revert: summary"
expect_eq "forced revert restored the row" "$(q "SELECT status, amount, (SELECT count(*) FROM lines) FROM orders WHERE id = 1")" "new|10|0"

# By context.
"$PGTRAIL" revert --source "$CONN" --context '{"request_id": "def"}' --dry-run >"$WORK/ctx.sql" 2>/dev/null
grep -q "^INSERT INTO public.orders" "$WORK/ctx.sql" || fail "context dry run: no INSERT"
expect_eq "context dry run changed nothing" "$(q "SELECT count(*) FROM orders")" 4
"$PGTRAIL" revert --source "$CONN" --context '{"request_id": "def"}' >/dev/null 2>"$WORK/ctx.err" || { cat "$WORK/ctx.err"; fail "context revert"; }
expect_eq "context revert restored the rows" "$(q "SELECT count(*), string_agg(note, ',' ORDER BY id) FROM orders")" "5|n,n,n,n,n"
caught_up
expect_eq "the reverting changes are tracked with their context" \
    "$(q "SELECT count(*) FROM changes WHERE context -> 'pgtrail_revert' IS NOT NULL")" 4
stop_sink
echo "PASS cli_test"
