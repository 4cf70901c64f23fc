#!/usr/bin/env bash
# Hostile context through plugin + sink: each kind of _bemi message precedes one insert,
# and the change must arrive (the sink neither crashes nor sticks on a batch the
# destination refuses) with the context stated below. Then the replay oracle.
#   non-JSON, invalid UTF-8, nested 10,000 deep, 10 MB, JSON that jsonb refuses (a lone
#   surrogate escape, \u0000), a huge number, a message outside any transaction (ignored),
#   and a context spoofed by a literal /*Bemi ... Bemi*/ inside a string value (a known
#   limitation of comment-based context, docs/RELIABILITY.md: it is taken as the context).
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
run "CREATE TABLE ctx (id int PRIMARY KEY, what text); SELECT oracle.track('ctx')"
start_sink "${ORACLE_SINK_OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1

n=0
with_message() {  # with_message WHAT SQL-EXPRESSION-OF-THE-MESSAGE [transactional]
    n=$((n + 1))
    run "BEGIN; SELECT pg_logical_emit_message(${3:-true}, '_bemi', $2); INSERT INTO ctx VALUES ($n, '$1'); COMMIT"
}
with_message "not json"       "'not json {'"
with_message "invalid utf8"   "'\\xfffe'::bytea || convert_to('{\"a\":1}', 'UTF8') || '\\xc3'::bytea"
with_message "deep 10000"     "repeat('{\"a\":', 10000) || '1' || repeat('}', 10000)"
with_message "deep 500"       "repeat('{\"a\":', 500) || '1' || repeat('}', 500)"
with_message "10 MB"          "'{\"big\":\"' || repeat('x', 10 * 1024 * 1024) || '\"}'"
with_message "lone surrogate" "'{\"a\":\"\\ud800\"}'"
with_message "nul escape"     "'{\"a\":\"x\\u0000y\"}'"
with_message "huge number"    "'{\"n\":1e400, \"m\":-1e-400}'"
with_message "array"          "'[1,2]'"
# Outside any transaction: never a context. The next change has {}.
run "SELECT pg_logical_emit_message(false, '_bemi', '{\"outside\":true}')"
n=$((n + 1)); run "INSERT INTO ctx VALUES ($n, 'after outside')"
# Comment-based context (sql/context.sql) spoofed by a value.
psql -X -q -v ON_ERROR_STOP=1 -f "$PGTRAIL_SOURCE_DIR/sql/context.sql" >/dev/null
run "CREATE TRIGGER ctx_context BEFORE INSERT OR UPDATE OR DELETE ON ctx FOR EACH ROW EXECUTE FUNCTION pgtrail.context_row_trigger()"
n=$((n + 1)); run "INSERT INTO ctx VALUES ($n, '/*Bemi {\"user\":\"mallory\"} Bemi*/')"
n=$((n + 1)); run "INSERT INTO ctx VALUES ($n, '/*Bemi {\"user\":\"mallory\"} Bemi*/') /*Bemi {\"user\":\"alice\"} Bemi*/"
caught_up
kill -0 "$SINK_PID" 2>/dev/null || fail "the sink exited"

ctx() { q "SELECT $2 FROM changes WHERE \"table\" = 'ctx' AND primary_key = '$1'"; }
expect_eq "non-JSON kept raw"        "$(ctx 1 "context")" '{"_raw": "not json {"}'
expect_eq "invalid UTF-8 kept raw, valid" "$(ctx 2 "context ? '_raw' AND octet_length(context->>'_raw') > 0")" t
expect_eq "10,000 deep kept raw"     "$(ctx 3 "length(context->>'_raw')")" 60001
expect_eq "500 deep kept as is"      "$(ctx 4 "context #>> array_fill('a'::text, ARRAY[500])")" 1
expect_eq "10 MB truncated to 1 MB"  "$(ctx 5 "context ? '_raw' AND octet_length(context->>'_raw') <= 1048576 AND octet_length(context->>'_raw') > 1000000")" t
expect_eq "lone surrogate stored"    "$(ctx 6 "context IS NOT NULL")" t
expect_eq "\\u0000 stored"           "$(ctx 7 "context IS NOT NULL")" t
expect_eq "huge number stored"       "$(ctx 8 "context IS NOT NULL")" t
expect_eq "array kept raw"           "$(ctx 9 "context")" '{"_raw": "[1,2]"}'
expect_eq "outside a transaction: ignored" "$(ctx 10 "context")" '{}'
expect_eq "spoofed by a value (limitation)" "$(ctx 11 "context->>'user'")" mallory
expect_eq "a real comment wins over a look-alike in a value (the last comment counts)" "$(ctx 12 "context->>'user'")" alice
echo "contexts: $(q "SELECT string_agg(primary_key || '=' || left(context::text, 40), ' | ' ORDER BY primary_key::int) FROM changes WHERE \"table\" = 'ctx'")"
echo "warnings logged: $(grep -c ' warn ' "$WORK/sink.log" || true)"
stop_sink
oracle_check
echo "ok"
