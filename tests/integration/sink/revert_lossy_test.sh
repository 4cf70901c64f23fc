#!/usr/bin/env bash
# `pgtrail revert` never writes a value's substitute form (issue 15): a change whose column is
# listed in lossy holds that column as its JSON text in a string (or a placeholder), so reverting it
# would put the string into the source. A json value jsonb cannot hold (1e140000) makes the rows.
# Reverting an UPDATE that would SET such a column, a DELETE that would INSERT it, or a change whose
# earlier row version holds it, is refused with an error naming the table and columns, the source
# unchanged; a revert that does not write the column (an UPDATE of another column, an INSERT
# undone by its key) goes through; --force writes the substitute form anyway.
source "$(dirname "$0")/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
run "CREATE TABLE j (id int PRIMARY KEY, doc json, note text);
     ALTER TABLE j REPLICA IDENTITY FULL;
     CREATE TABLE k (id int PRIMARY KEY, doc json, note text)"  # REPLICA IDENTITY DEFAULT: before is the key only
start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

run "INSERT INTO j VALUES (1, '{\"a\":1e140000}', 'poison'), (2, '{\"a\":1e140000}', 'poison'), (3, '{\"a\":1}', 'plain')"
run "UPDATE j SET doc = '{\"fixed\":true}' WHERE id = 1"   # revert would SET doc to the substitute
run "UPDATE j SET note = 'noted' WHERE id = 2"             # doc unchanged: revert SETs note only
run "DELETE FROM j WHERE id = 2"                           # revert would INSERT the substitute
run "INSERT INTO k VALUES (1, '{\"a\":1e140000}', 'poison')"
run "UPDATE k SET doc = '{\"b\":2}' WHERE id = 1"          # before lacks doc: time travel takes it from the INSERT
caught_up
expect_eq "the poison rows are stored with lossy" "$(q "SELECT count(*) FROM changes WHERE lossy = '{doc}'")" 6

xact() { q "SELECT DISTINCT transaction_id FROM changes WHERE \"table\" = '$1' AND primary_key = '$2' AND operation = '$3'"; }
revert() { "$PGTRAIL" revert --source "$(SOURCE_CONN)" "$@" >"$WORK/revert.out" 2>"$WORK/revert.err"; }

# The UPDATE that replaced the poison value: its revert would write the string back.
if revert --transaction "$(xact j 1 UPDATE)"; then fail "reverting an UPDATE onto a lossy value succeeded: $(cat "$WORK/revert.out")"; fi
grep -q 'j (commit_lsn [0-9]*, ordinal [0-9]*) has doc stored in a substitute form' "$WORK/revert.err" ||
    fail "the refusal does not name the table and column: $(cat "$WORK/revert.err")"
expect_eq "the source row is untouched" "$(q "SELECT doc::text FROM j WHERE id = 1")" '{"fixed":true}'

# The DELETE of a poison row: its revert would INSERT the string.
if revert --transaction "$(xact j 2 DELETE)"; then fail "reverting a DELETE of a lossy row succeeded"; fi
grep -q 'DELETE of public.j .* has doc stored in a substitute form' "$WORK/revert.err" || fail "DELETE refusal: $(cat "$WORK/revert.err")"
expect_eq "the deleted row stays deleted" "$(q "SELECT count(*) FROM j WHERE id = 2")" 0

# Without REPLICA IDENTITY FULL the old doc comes from the earlier INSERT, which holds it as text.
if revert --transaction "$(xact k 1 UPDATE)"; then fail "reverting an UPDATE whose old value time travel takes from a lossy change succeeded"; fi
grep -q 'would restore doc from the earlier CREATE' "$WORK/revert.err" || fail "history refusal: $(cat "$WORK/revert.err")"

# An UPDATE of another column of a poison row: nothing lossy is written, so it is reverted.
run "INSERT INTO j VALUES (4, '{\"a\":1e140000}', 'before')"
run "UPDATE j SET note = 'after' WHERE id = 4"
caught_up
revert --transaction "$(xact j 4 UPDATE)" || fail "reverting an UPDATE that does not write the lossy column failed: $(cat "$WORK/revert.err")"
expect_eq "note restored, doc untouched" "$(q "SELECT note || ' ' || doc::text FROM j WHERE id = 4")" 'before {"a":1e140000}'

# --force writes the substitute form, as documented.
revert --transaction "$(xact j 1 UPDATE)" --force || fail "--force did not revert: $(cat "$WORK/revert.err")"
expect_eq "--force wrote the JSON text as a string" "$(q "SELECT doc::text FROM j WHERE id = 1")" '"{\"a\":1e140000}"'
stop_sink
echo "ok"
