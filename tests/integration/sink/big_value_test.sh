#!/usr/bin/env bash
# One huge value (issue 15). The sink asks the plugin for records of at most 1 MB a message
# (max-message-bytes, docs/FORMAT.md "Records in pieces"): a 32 MB value then arrives intact,
# the sink's peak memory stays under 1.5x the value (it was 2x: libpq held the whole message
# and returned a copy of it) and the sink gives the memory back once the row is written (libpq's
# input buffer kept the whole message before). An UPDATE with a full before image (a 64 MB record)
# arrives too. Against a plugin older than the option (these sources without it, built here),
# the sink logs one warning, starts without the option and gets the value whole.
# Through pgoutput (a row is always one message): the value is converted a piece at a time, each
# piece of the message given back once converted, the image sent as it was built and given back
# the same way, so the peak stays near 2x (libpq's buffer and the copy PQgetCopyData returns; it
# was 4x); the sink then reconnects to free libpq's grown buffer (it kept 1x before).
source "$(dirname "$0")/lib.sh"
MB=${PGTRAIL_BIG_VALUE_MB:-32}
KB=$((MB * 1024))

status() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SINK_PID/status"; }

# big_value_arrives: inserts a MB-megabyte value while the sink runs; checks it arrived exactly,
# and sets PEAK_KB and AFTER_KB (the sink's peak and resident memory above what it had before).
big_value_arrives() {
    run "CREATE TABLE IF NOT EXISTS big (id int PRIMARY KEY, v text); ALTER TABLE big ALTER COLUMN v SET STORAGE EXTERNAL"
    run "INSERT INTO big VALUES (0, 'small')"
    caught_up
    local base
    base=$(status VmRSS)
    # md5 hex: 32 bytes a row, so MB * 32768 rows make MB megabytes that do not compress.
    run "INSERT INTO big SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, $MB * 32768) i"
    caught_up 180
    sleep 1
    PEAK_KB=$(($(status VmHWM) - base))
    AFTER_KB=$(($(status VmRSS) - base))
    expect_eq "the ${MB} MB value, exactly" \
        "$(q "SELECT c.after = to_jsonb(b), octet_length(c.after->>'v') FROM changes c JOIN big b ON b.id::text = c.primary_key WHERE c.primary_key = '1'")" \
        "t|$((MB * 1024 * 1024))"
    echo "${MB} MB value: sink peak $((PEAK_KB / 1024)) MB, resident after $((AFTER_KB / 1024)) MB above before"
}

# --- this plugin: records over 1 MB in pieces -----------------------------------------------
start_cluster src --plugin-dir "$PLUGIN_DIR"
start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
big_value_arrives
[ "$PEAK_KB" -lt $((KB * 3 / 2)) ] || fail "peak $PEAK_KB kB above before for a $KB kB value: not under 1.5x"
[ "$AFTER_KB" -lt $((KB / 2)) ] || fail "resident $AFTER_KB kB above before after a $KB kB value: not given back"
# Both images of a 64 MB record, in pieces too; a small change after it is a whole record again.
run "ALTER TABLE big REPLICA IDENTITY FULL; UPDATE big SET id = 2 WHERE id = 1; INSERT INTO big VALUES (3, 'after')"
caught_up 180
expect_eq "the UPDATE's before and after images" \
    "$(q "SELECT md5(c.before->>'v') = md5(b.v), c.after = to_jsonb(b) FROM changes c JOIN big b ON b.id = 2 WHERE c.operation = 'UPDATE'")" "t|t"
expect_eq "the change after it" "$(q "SELECT after->>'v' FROM changes WHERE primary_key = '3'")" "after"
grep -q "older than this sink" "$WORK/sink.log" && fail "warned about an old plugin with this one"
stop_sink

# --- pgoutput: one message per row -----------------------------------------------------------
start_cluster pgo
run "CREATE TABLE big (id int PRIMARY KEY, v text); CREATE PUBLICATION trail FOR TABLE big"
: >"$WORK/sink.log"
start_sink --plugin pgoutput --publication trail
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
big_value_arrives
[ "$PEAK_KB" -lt $((KB * 5 / 2)) ] || fail "pgoutput: peak $PEAK_KB kB above before for a $KB kB value: not under 2.5x"
[ "$AFTER_KB" -lt $((KB / 2)) ] || fail "pgoutput: resident $AFTER_KB kB above before after a $KB kB value: not given back"
reconnects() { grep -c "grew the replication connection's buffer; reconnecting" "$WORK/sink.log" || true; }
expect_eq "pgoutput: one reconnect to free libpq's buffer" "$(reconnects)" 1
# The new row takes the unchanged TOASTed value from the old one: read twice, given back only after.
run "ALTER TABLE big REPLICA IDENTITY FULL; UPDATE big SET id = 2 WHERE id = 1; INSERT INTO big VALUES (3, 'after')"
caught_up 180
expect_eq "pgoutput: the UPDATE's before and after images" \
    "$(q "SELECT md5(c.before->>'v') = md5(b.v), c.after = to_jsonb(b) FROM changes c JOIN big b ON b.id = 2 WHERE c.operation = 'UPDATE'")" "t|t"
expect_eq "pgoutput: the change after it" "$(q "SELECT after->>'v' FROM changes WHERE primary_key = '3'")" "after"
expect_eq "pgoutput: every change once" "$(q "SELECT count(*), count(DISTINCT (commit_lsn, ordinal)) FROM changes")" "4|4"
# Each huge message is confirmed before the reconnect, so it is never sent again (no loop).
sleep 3
expect_eq "pgoutput: one more reconnect for the UPDATE, and no loop" "$(reconnects)" 2
stop_sink

# --- a plugin older than max-message-bytes: today's plugin without the option -------------------
build_legacy_plugin "$WORK/legacy"
start_cluster old --plugin-dir "$WORK/legacy"
legacy_plugin_refuses_pieces
: >"$WORK/sink.log"
start_sink
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
big_value_arrives
expect_eq "one warning about the old plugin" "$(grep -c "older than this sink and cannot send a record in pieces" "$WORK/sink.log")" 1
stop_sink
echo "ok"
