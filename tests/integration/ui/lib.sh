# Shared by the UI's tests: a cluster with a small workload written with context through a real
# `pgtrail run`, and a running `pgtrail ui` (UI_URL) over its changes table.
source "$(dirname "${BASH_SOURCE[0]}")/../sink/lib.sh"
UI_PID=""
ui_cleanup() { [ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null || true; cleanup; }
trap ui_cleanup EXIT

WORKLOAD_TABLES="CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, status text, amount numeric, note text);
                 CREATE TABLE IF NOT EXISTS lines (order_id int, line int, qty int, PRIMARY KEY (order_id, line));"

# fill_workload [pgtrail run options...]: tables orders and lines, changed by requests of users 7
# and 8 (context user_id, request_id), one transaction without context, and values with quotes and unicode.
fill_workload() {
    run "$WORKLOAD_TABLES"
    start_sink "$@"
    run "INSERT INTO orders SELECT g, 'new', g * 10, 'n' FROM generate_series(1, 5) g;"
    run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": 7, \"request_id\": \"abc\", \"endpoint\": \"/orders/pay\"}');
         UPDATE orders SET status = 'paid', amount = 99 WHERE id = 1; INSERT INTO lines VALUES (1, 1, 3); COMMIT;"
    run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": \"8\", \"request_id\": \"def\"}');
         UPDATE orders SET note = 'l''été ☃ \"quoted\"; DROP TABLE x' WHERE id = 3; DELETE FROM orders WHERE id = 4; COMMIT;"
    run "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user_id\": 7, \"request_id\": \"ghi\"}');
         UPDATE orders SET status = 'shipped' WHERE id = 2; COMMIT;"
    run "UPDATE orders SET amount = amount + 1 WHERE id = 5"
    caught_up
}

# start_ui [options...]: pgtrail ui on a free loopback port, logging to $UI_LOG (default $WORK/ui.log); sets UI_URL.
start_ui() {
    local log=${UI_LOG:-$WORK/ui.log}
    "$PGTRAIL" ui --source "$(SOURCE_CONN)" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
    UI_PID=$!
    for _ in $(seq 1 100); do
        UI_URL=$(sed -n 's|.*pgtrail ui on \(http://[^/ ]*\)/.*|\1|p' "$log" | head -1)
        [ -n "$UI_URL" ] && return 0
        kill -0 "$UI_PID" 2>/dev/null || { cat "$log"; fail "pgtrail ui exited"; }
        sleep 0.1
    done
    cat "$log"
    fail "pgtrail ui did not start"
}

stop_ui() {
    [ -n "$UI_PID" ] || return 0
    kill -TERM "$UI_PID"
    wait "$UI_PID" || fail "pgtrail ui exited with $? on SIGTERM"
    UI_PID=""
}
