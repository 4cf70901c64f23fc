#!/usr/bin/env bash
# Every destination connection writes UTF-8, whatever PGCLIENTENCODING says; a destination database
# whose encoding cannot hold the source's text is refused, with the same sentence, by check, run and
# snapshot (one destination setup path), before anything is written there.
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
TEXT='é € ✓ 日本 ß'
run "CREATE TABLE t (id int PRIMARY KEY, s text)"

# 1. PGCLIENTENCODING=LATIN1 in the sink's environment: the text must arrive unchanged.
PGCLIENTENCODING=LATIN1 start_sink --plugin pgtrail
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
run "INSERT INTO t VALUES (1, '$TEXT')"
caught_up
stop_sink
expect_eq "text written under PGCLIENTENCODING=LATIN1" "$(q "SELECT after->>'s' FROM changes WHERE \"table\" = 't'")" "$TEXT"

# 2. Destinations that cannot hold UTF8 text.
for enc in LATIN1 SQL_ASCII; do
    db=dst_$(tr 'A-Z' 'a-z' <<<"$enc")
    run "CREATE DATABASE $db ENCODING '$enc' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
    DEST="host=127.0.0.1 port=$PORT user=postgres dbname=$db"
    expected="the destination database's encoding is $enc, which cannot hold every character of the source's UTF8 text"

    status=0
    "$PGTRAIL" check --source "$(SOURCE_CONN)" --destination "$DEST" --slot "chk_$db" >"$WORK/check_$db.out" 2>&1 || status=$?
    [ "$status" != 0 ] || fail "check passed a $enc destination: $(cat "$WORK/check_$db.out")"
    grep -F "encoding" "$WORK/check_$db.out" | grep -qF "encoding is $enc" ||
        fail "check does not name the $enc encoding: $(cat "$WORK/check_$db.out")"
    grep -qF "ENCODING 'UTF8'" "$WORK/check_$db.out" || fail "check gives no fix for $enc: $(cat "$WORK/check_$db.out")"

    status=0
    timeout 60 "$PGTRAIL" run --source "$(SOURCE_CONN)" --destination "$DEST" --plugin pgtrail >"$WORK/run_$db.log" 2>&1 || status=$?
    expect_eq "run into $enc exits 1 (not 124: retrying forever)" "$status" 1
    grep -qF "$expected" "$WORK/run_$db.log" || fail "run into $enc: $(tail -5 "$WORK/run_$db.log")"

    status=0
    timeout 60 "$PGTRAIL" snapshot --source "$(SOURCE_CONN)" --destination "$DEST" --slot "snap_$db" >"$WORK/snap_$db.log" 2>&1 || status=$?
    expect_eq "snapshot into $enc exits 1" "$status" 1
    grep -qF "$expected" "$WORK/snap_$db.log" || fail "snapshot into $enc: $(tail -5 "$WORK/snap_$db.log")"
    expect_eq "snapshot into $enc left no slot" "$(q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'snap_$db'")" 0
    expect_eq "no row written into $enc" "$(PGDATABASE=$db q "SELECT CASE WHEN to_regclass('changes') IS NULL THEN 0 ELSE (SELECT count(*) FROM changes) END")" 0
done

# 3. A UTF8 destination database is accepted by check (the item is ok).
run "CREATE DATABASE dst_utf8 ENCODING 'UTF8' TEMPLATE template0"
"$PGTRAIL" check --source "$(SOURCE_CONN)" --destination "host=127.0.0.1 port=$PORT user=postgres dbname=dst_utf8" >"$WORK/check_utf8.out" 2>&1 || true
grep -E "encoding" "$WORK/check_utf8.out" | grep -qi "ok" || fail "check on a UTF8 destination: $(cat "$WORK/check_utf8.out")"
echo "ok"
