#!/usr/bin/env bash
# pgtrail forget / pgtrail.forget: a row's values (baseline, inserts, updates with REPLICA IDENTITY FULL
# before images, key changes 7 -> 70 -> 700, delete) leave every change recorded for it, searched as
# text over the whole changes table; operation, times and keys stay; other rows' changes are untouched;
# the erasure is logged (who, when, what, how many); revert of an erased change refuses and changes
# nothing; time travel shows the marker, never a value. --with-key also erases a composite key.
source "$(dirname "$0")/../sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
CONN=$(SOURCE_CONN)
use_test_plugin

run "CREATE TABLE people (id int PRIMARY KEY, email text, name text, born date, score numeric);
     ALTER TABLE people REPLICA IDENTITY FULL;
     CREATE TABLE visits (region text, n int, who text, PRIMARY KEY (region, n));
     INSERT INTO people VALUES (7, 'secret-mail-a@example.org', 'Secret Name A', '1980-01-02', 1.5),
                               (8, 'other@example.org', 'Other Person', '1990-03-04', 2);"
"$PGTRAIL" snapshot --source "$CONN" "${PLUGIN_OPTS[@]}" >"$WORK/snapshot.log" 2>&1 || { cat "$WORK/snapshot.log"; fail "snapshot"; }
start_sink "${PLUGIN_OPTS[@]}"
run "UPDATE people SET email = 'secret-mail-b@example.org', score = 4242.4217 WHERE id = 7"
run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"request_id\": \"both\"}');
     UPDATE people SET name = 'Secret Name B' WHERE id = 7; UPDATE people SET name = 'Other Renamed' WHERE id = 8; COMMIT"
run "UPDATE people SET id = 70, born = '1981-05-06' WHERE id = 7"
run "UPDATE people SET name = 'Secret Name C' WHERE id = 70"
run "UPDATE people SET id = 700 WHERE id = 70"
run "INSERT INTO people VALUES (9, 'nine@example.org', 'Nine', NULL, 9)"
run "INSERT INTO visits VALUES ('zz-secret-region', 5, 'Secret Visitor'), ('eu', 1, 'Someone Else')"
run "UPDATE visits SET who = 'Secret Visitor 2' WHERE region = 'zz-secret-region'"
run "DELETE FROM people WHERE id = 700"
caught_up
SECRETS=(secret-mail-a secret-mail-b "Secret Name A" "Secret Name B" "Secret Name C" 1980-01-02 1981-05-06 4242.4217)
for secret in "${SECRETS[@]}"; do
    expect_eq "before forget: '$secret' is in changes" "$(q "SELECT count(*) > 0 FROM changes c WHERE c::text LIKE '%$secret%'")" t
done
ROW_CHANGES=$(q "SELECT count(*) FROM changes WHERE \"table\" = 'people' AND (primary_key IN ('7', '70', '700') OR before->>'id' IN ('7', '70'))")
expect_eq "the row's changes: snapshot, 2 updates, key change, update, key change, delete" "$ROW_CHANGES" 7
fingerprint() {  # what erasure must keep: every change's identity, operation, times, key, context
    q "SELECT md5(string_agg(concat_ws('|', id, operation, committed_at, transaction_id, commit_lsn, ordinal, primary_key, context, unchanged),
                             ',' ORDER BY commit_lsn, ordinal)) FROM changes"
}
others() { q "SELECT md5(string_agg(to_jsonb(c)::text, ',' ORDER BY commit_lsn, ordinal)) FROM changes c
              WHERE NOT (\"table\" = 'people' AND (primary_key IN ('7', '70', '700') OR before->>'id' IN ('7', '70')))"; }
KEPT=$(fingerprint)
OTHERS=$(others)
BOTH_XID=$(q "SELECT DISTINCT transaction_id FROM changes WHERE context->>'request_id' = 'both'")
MOVE_XID=$(q "SELECT transaction_id FROM changes WHERE primary_key = '70' AND before->>'id' = '7'")

# 1. Forget row 700 (its whole lineage): every secret gone, everything else kept.
"$PGTRAIL" forget --source "$CONN" people 700 --reason "ticket 42" >"$WORK/forget.out" 2>&1 || { cat "$WORK/forget.out"; fail "forget"; }
cat "$WORK/forget.out"
grep -q "erased the values of $ROW_CHANGES changes of people key 700 (the row's keys: 7, 70, 700); logged in pgtrail.erasures" "$WORK/forget.out" \
    || fail "forget: summary"
for secret in "${SECRETS[@]}"; do
    expect_eq "after forget: '$secret' anywhere in changes" "$(q "SELECT count(*) FROM changes c WHERE c::text LIKE '%$secret%'")" 0
done
expect_eq "operation, times, keys, context of every change kept" "$(fingerprint)" "$KEPT"
expect_eq "other rows' changes untouched" "$(others)" "$OTHERS"
expect_eq "erased images: key kept, every other value the marker" \
    "$(q "SELECT count(*) FROM changes c, jsonb_each(coalesce(c.before, '{}') || coalesce(c.after, '{}')) AS e(k, v)
          WHERE \"table\" = 'people' AND (primary_key IN ('7', '70', '700') OR before->>'id' IN ('7', '70'))
            AND (CASE WHEN k = 'id' THEN v::text NOT IN ('7', '70', '700') ELSE v <> '\"[redacted]\"' END)")" 0
expect_eq "erased images keep their column names" \
    "$(q "SELECT DISTINCT string_agg(k, ',' ORDER BY k) FROM changes c, jsonb_object_keys(coalesce(c.after, c.before)) k
          WHERE primary_key = '70' GROUP BY c.id")" "born,email,id,name,score"
expect_eq "erasure log" "$(q "SELECT concat_ws('|', changes_table, schema, \"table\", key, with_key, reason, rows, erased_by, erased_at > now() - interval '1 minute') FROM pgtrail.erasures")" \
    "public.changes|public|people|700|f|ticket 42|$ROW_CHANGES|postgres|t"
expect_eq "erased changes listed" "$(q "SELECT count(*) FROM pgtrail.erased_changes")" "$ROW_CHANGES"

# 2. Revert of an erased change refuses (also when the transaction touched another row), changes nothing.
run "INSERT INTO people VALUES (700, 'back@example.org', 'Came Back', NULL, 0)"
caught_up
BEFORE_REVERT=$(q "SELECT md5(string_agg(to_jsonb(p)::text, ',' ORDER BY id)) FROM people p")
for xid in "$BOTH_XID" "$MOVE_XID"; do
    status=0
    "$PGTRAIL" revert --source "$CONN" --transaction "$xid" >"$WORK/revert.out" 2>&1 || status=$?
    cat "$WORK/revert.out"
    expect_eq "revert of erased transaction $xid: exit status" "$status" 1
    grep -q "cannot be restored: it was erased by pgtrail.forget (erasure 1, by postgres at .*: ticket 42)" "$WORK/revert.out" || fail "revert: no erasure message"
    status=0
    "$PGTRAIL" revert --source "$CONN" --transaction "$xid" --dry-run --force >"$WORK/revert.out" 2>&1 || status=$?
    expect_eq "revert --dry-run --force of erased transaction $xid: exit status" "$status" 1
done
expect_eq "refused reverts changed nothing" "$(q "SELECT md5(string_agg(to_jsonb(p)::text, ',' ORDER BY id)) FROM people p")" "$BEFORE_REVERT"

# 3. Time travel and history show the marker, never a value.
expect_eq "row_as_of an erased row" "$(q "SELECT pgtrail.row_as_of('people', '70', (SELECT max(committed_at) FROM changes WHERE primary_key = '70'))")" \
    '{"id": 70, "born": "[redacted]", "name": "[redacted]", "email": "[redacted]", "score": "[redacted]"}'
"$PGTRAIL" history --source "$CONN" people 70 >"$WORK/history.txt" 2>&1 || { cat "$WORK/history.txt"; fail "history"; }
expect_eq "history says each change was erased" "$(grep -c "\[values erased by pgtrail.forget (erasure 1, by postgres at .*: ticket 42)\]" "$WORK/history.txt")" 3
for secret in "${SECRETS[@]}"; do grep -qF "$secret" "$WORK/history.txt" && fail "history shows '$secret'"; done

# 4. --with-key on a composite key: the key goes too, and the log does not name it.
"$PGTRAIL" forget --source "$CONN" visits '["zz-secret-region", 5]' --with-key >"$WORK/forget2.out" 2>&1 || { cat "$WORK/forget2.out"; fail "forget --with-key"; }
grep -q "erased the values of 2 changes of visits key (not logged)" "$WORK/forget2.out" || { cat "$WORK/forget2.out"; fail "forget --with-key: summary"; }
for secret in zz-secret-region "Secret Visitor"; do
    expect_eq "--with-key: '$secret' in changes" "$(q "SELECT count(*) FROM changes c WHERE c::text LIKE '%$secret%'")" 0
    expect_eq "--with-key: '$secret' in the erasure log" "$(q "SELECT count(*) FROM pgtrail.erasures e WHERE e::text LIKE '%$secret%'")" 0
done
expect_eq "--with-key: keys gone, rows kept" "$(q "SELECT count(*) FILTER (WHERE primary_key IS NULL), count(*) FROM changes WHERE \"table\" = 'visits'")" "2|3"
expect_eq "--with-key: logged" "$(q "SELECT concat_ws('|', key IS NULL, with_key, rows) FROM pgtrail.erasures WHERE id = 2")" "t|t|2"
expect_eq "--with-key: the other visit untouched" "$(q "SELECT after->>'who' FROM changes WHERE \"table\" = 'visits' AND primary_key IS NOT NULL")" "Someone Else"

# 5. Bad input: clear errors, nothing erased; an unknown key is logged with 0 rows.
status=0
"$PGTRAIL" forget --source "$CONN" nosuchtable 1 >"$WORK/bad.out" 2>&1 || status=$?
expect_eq "forget of a missing table: exit status" "$status" 1
grep -q 'relation "nosuchtable" does not exist' "$WORK/bad.out" && grep -q "nothing was erased" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "missing table message"; }
status=0
"$PGTRAIL" forget --source "$CONN" visits eu >"$WORK/bad.out" 2>&1 || status=$?
expect_eq "forget with a malformed composite key: exit status" "$status" 1
grep -q 'not a JSON array of 2 values' "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "malformed key message"; }
status=0
"$PGTRAIL" forget --source "$CONN" people >"$WORK/bad.out" 2>&1 || status=$?
expect_eq "forget without a key: exit status" "$status" 2
"$PGTRAIL" forget --source "$CONN" people 123456 >"$WORK/none.out" 2>&1 || { cat "$WORK/none.out"; fail "forget of an unknown key"; }
grep -q "no changes recorded for people key 123456" "$WORK/none.out" || { cat "$WORK/none.out"; fail "unknown key message"; }
expect_eq "erasure log rows" "$(q "SELECT count(*) FROM pgtrail.erasures")" 3

# 6. The SQL function is all or nothing with its caller's transaction.
expect_eq "rolled back forget" "$(q "BEGIN; SELECT pgtrail.forget('people', '8'); ROLLBACK; SELECT count(*) FROM changes WHERE primary_key = '8' AND after->>'name' = 'Other Renamed'" | tail -1)" 1
stop_sink
echo "ok"
