#!/usr/bin/env bash
# pgtrail rewind: a random workload (time_travel's: many types, inserts, updates, deletes, key changes,
# TOAST left unchanged, REPLICA IDENTITY FULL, identity and generated columns, truncates) plus a parent
# and child table with a cascading foreign key, recorded by pgtrail snapshot + pgtrail run, with every
# table captured (to_jsonb of each row) after each transaction. Then: --dry-run prints statements and
# writes nothing; a rewind refuses while pgtrail run lags and when a row was changed outside the recorded
# history, and --force rewinds anyway; rewinds to 10 random captured instants in random order each give
# back exactly the captured tables; --tables rewinds only the matching tables; an instant before the
# baseline and an erased row are refused.
# Env: REWIND_STEPS (default 40), REWIND_SEED.
source "$(dirname "$0")/../sink/lib.sh"
TT=$PGTRAIL_SOURCE_DIR/tests/integration/time_travel
STEPS=${REWIND_STEPS:-40}
SEED=${REWIND_SEED:-$RANDOM}
start_cluster src --plugin-dir "$PLUGIN_DIR"
CONN=$(SOURCE_CONN)
echo "seed $SEED, $STEPS steps"
psql -X -q -v ON_ERROR_STOP=1 -f "$TT/workload.sql" -f "$TT/checks.sql" >/dev/null
run "CREATE TABLE rw_parent (id int PRIMARY KEY, name text);
     CREATE TABLE rw_child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES rw_parent ON DELETE CASCADE DEFERRABLE, v int);
     ALTER PUBLICATION tt_pub ADD TABLE rw_parent, rw_child;
     CREATE OR REPLACE FUNCTION tt_tables() RETURNS regclass[] LANGUAGE sql AS \$\$
         SELECT ARRAY['tt_types', 'tt_comp', 'tt_full', 'tt_toast', '\"Tt Schema\".\"Order Items\"', 'rw_parent', 'rw_child']::regclass[]
     \$\$;
     -- One random change to the parent/child pair: new parent with children, child moved or changed,
     -- parent deleted (its children go by the cascade), child deleted.
     CREATE PROCEDURE rw_fk_operation() LANGUAGE plpgsql AS \$\$
     DECLARE p int; c int;
     BEGIN
       SELECT id INTO p FROM rw_parent ORDER BY random() LIMIT 1;
       SELECT id INTO c FROM rw_child ORDER BY random() LIMIT 1;
       CASE floor(random() * 5)::int
         WHEN 0 THEN
           p := nextval('tt_keys');
           INSERT INTO rw_parent VALUES (p, 'p' || p);
           INSERT INTO rw_child SELECT nextval('tt_keys'), p, g FROM generate_series(1, floor(random() * 3)::int) g;
         WHEN 1 THEN UPDATE rw_child SET parent_id = coalesce(p, parent_id), v = v + 1 WHERE id = c;
         WHEN 2 THEN DELETE FROM rw_parent WHERE id = p;
         WHEN 3 THEN DELETE FROM rw_child WHERE id = c;
         ELSE UPDATE rw_parent SET name = name || '+', id = CASE WHEN NOT EXISTS (SELECT FROM rw_child WHERE parent_id = p)
                                                                 THEN nextval('tt_keys') ELSE id END WHERE id = p;
       END CASE;
     END \$\$;"
# Rows from before tracking, then the baseline and the stream.
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -c "SELECT setseed($SEED::float / 32768)" -c "CALL tt_workload(-5, -1, 1000000)" \
    -c "CALL rw_fk_operation()" -c "CALL rw_fk_operation()" -c "CALL rw_fk_operation()"
"$PGTRAIL" snapshot --source "$CONN" --publication tt_pub >"$WORK/snapshot.log" 2>&1 || { cat "$WORK/snapshot.log"; fail "snapshot"; }
start_sink --publication tt_pub
run "CALL tt_capture(0, NULL)"
for step in $(seq 1 "$STEPS"); do
    psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -c "SELECT setseed(($SEED + $step)::float / 65536)" \
        -c "CALL rw_fk_operation()" -c "CALL rw_fk_operation()" -c "CALL tt_workload($step, $step, 1000000)"
done
caught_up
q "SELECT 'changes: ' || string_agg(operation || ' ' || n, ', ') FROM (SELECT operation, count(*) n FROM changes GROUP BY 1 ORDER BY 1) s"
at() { q "SELECT at::text FROM tt_steps WHERE step = $1"; }
fingerprint() {  # every tracked table's rows
    q "DO \$\$ DECLARE r regclass; acc text := ''; h text; BEGIN
         FOREACH r IN ARRAY tt_tables() LOOP
           EXECUTE format('SELECT md5(coalesce(string_agg(to_jsonb(pgtrail_row.*)::text, '','' ORDER BY to_jsonb(pgtrail_row.*)::text), '''')) FROM %s pgtrail_row', r) INTO h;
           acc := acc || h;
         END LOOP;
         PERFORM set_config('rw.fingerprint', md5(acc), false); END \$\$; SELECT current_setting('rw.fingerprint')"
}
check_step() {  # check_step STEP LABEL: every tracked table equals the capture of STEP
    psql -X -q -v ON_ERROR_STOP=1 -c "CALL tt_check_state_is($1, '$2')" >/dev/null 2>"$WORK/check.err" || {
        cat "$WORK/check.err" >&2; fail "$2: the tables differ from step $1"; }
}
expect_rewind_refused() {  # expect_rewind_refused NEEDLE ARGS...: exit 1, the reason on stderr, nothing changed
    local needle=$1 status=0 before; shift
    before=$(fingerprint)
    "$PGTRAIL" rewind --source "$CONN" "$@" >"$WORK/rewind.out" 2>&1 || status=$?
    [ "$status" = 1 ] || { cat "$WORK/rewind.out"; fail "rewind $*: exit status $status, expected 1"; }
    grep -qF -- "$needle" "$WORK/rewind.out" || { cat "$WORK/rewind.out"; fail "rewind $*: no '$needle'"; }
    expect_eq "refused rewind changed nothing" "$(fingerprint)" "$before"
    echo "refused as expected: $(grep -m1 'pgtrail rewind:' "$WORK/rewind.out" | cut -c1-200)"
}

# 1. --dry-run prints the statements and writes nothing (no table row, no recorded change).
d=$((STEPS / 2))
before=$(fingerprint)
changes_before=$(q "SELECT count(*) FROM changes")
"$PGTRAIL" rewind --source "$CONN" --to "$(at $d)" --dry-run >"$WORK/dry.sql" 2>"$WORK/dry.err" || { cat "$WORK/dry.err"; fail "rewind --dry-run"; }
cat "$WORK/dry.err"
[ "$(grep -cE '^(INSERT|UPDATE|DELETE) ' "$WORK/dry.sql")" -gt 0 ] || fail "rewind --dry-run printed no statements"
grep -q "statements would return the tables to .* (dry run: nothing changed)" "$WORK/dry.err" || fail "dry run summary"
expect_eq "dry run: tables unchanged" "$(fingerprint)" "$before"
caught_up
expect_eq "dry run: nothing recorded" "$(q "SELECT count(*) FROM changes")" "$changes_before"

# 2. Refusals: the sink lags; a row changed outside the recorded history; then --force.
last=$(at "$STEPS")
stop_sink
run "UPDATE tt_full SET v = 'while the sink was away' WHERE id = (SELECT min(id) FROM tt_full)"
expect_rewind_refused "pgtrail run has not recorded the source up to now" --to "$last" --wait 1
start_sink --publication tt_pub
caught_up
x=$(q "SELECT min(id) FROM tt_toast")
[ -n "$x" ] || run "INSERT INTO tt_toast VALUES (nextval('tt_keys'), 'doc', 0, 'n')"
x=$(q "SELECT min(id) FROM tt_toast")
run "UPDATE tt_toast SET note = 'recorded' WHERE id = $x"
caught_up
q "SELECT pg_replication_origin_create('pgtrail_outside')" >/dev/null
run "SELECT pg_replication_origin_session_setup('pgtrail_outside'); UPDATE tt_toast SET note = 'outside' WHERE id = $x"
caught_up
expect_eq "the outside change was not recorded" "$(q "SELECT count(*) FROM changes WHERE after->>'note' = 'outside'")" 0
expect_rewind_refused "row with key $x of public.tt_toast is not as the changes table last recorded it" --to "$last"
"$PGTRAIL" rewind --source "$CONN" --to "$last" --force >/dev/null 2>"$WORK/force.err" || { cat "$WORK/force.err"; fail "rewind --force"; }
check_step "$STEPS" "rewind --force to step $STEPS"
caught_up

# 3. Ten random captured instants, in random order; every other one with --disable-triggers (no
# triggers, no foreign key checks or actions), the others with the cascading, deferrable foreign key live.
instants=$(q "SELECT string_agg(step::text, ' ') FROM (SELECT step FROM tt_steps WHERE step BETWEEN 0 AND $STEPS ORDER BY random() LIMIT 10) s")
echo "rewinding to steps: $instants"
n=0
for s in $instants; do
    started=$SECONDS
    n=$((n + 1))
    triggers=()
    [ $((n % 2)) = 0 ] && triggers=(--disable-triggers)
    "$PGTRAIL" rewind --source "$CONN" --to "$(at "$s")" "${triggers[@]+"${triggers[@]}"}" >"$WORK/rewind.sql" 2>"$WORK/rewind.err" || { cat "$WORK/rewind.err"; fail "rewind to step $s"; }
    check_step "$s" "rewind to step $s"
    echo "rewind to step $s ${triggers[*]+"${triggers[*]}"}: $(wc -l <"$WORK/rewind.sql") statements, $((SECONDS - started)) s, every table equals its capture"
done
expect_eq "rewinds are recorded with their context" \
    "$(q "SELECT count(DISTINCT transaction_id) >= 10 FROM changes WHERE context->>'pgtrail' = 'rewind'")" t

# 4. --tables: only the matching tables move.
caught_up
run "CALL tt_capture(9000, NULL)"
t=$(q "SELECT step FROM tt_steps WHERE step BETWEEN 1 AND $STEPS ORDER BY random() LIMIT 1")
"$PGTRAIL" rewind --source "$CONN" --to "$(at "$t")" --tables 'public.rw_*' --disable-triggers >/dev/null 2>"$WORK/tables.err" || { cat "$WORK/tables.err"; fail "rewind --tables"; }
grep -q "returned the tables matching public.rw_\* to" "$WORK/tables.err" || grep -q "nothing changed after" "$WORK/tables.err" || { cat "$WORK/tables.err"; fail "--tables summary"; }
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -c "DO \$\$ DECLARE r regclass; problem text; now_rows jsonb[]; BEGIN
    FOREACH r IN ARRAY tt_tables() LOOP
      EXECUTE format('SELECT coalesce(array_agg(to_jsonb(pgtrail_row.*)), ''{}'') FROM %s pgtrail_row', r) INTO now_rows;
      problem := tt_difference(r::text, tt_captured(r, CASE WHEN r::text LIKE 'rw\\_%' THEN $t ELSE 9000 END), now_rows);
      IF problem IS NOT NULL THEN RAISE EXCEPTION '--tables: %', problem; END IF;
    END LOOP; END \$\$" || fail "--tables rewound the wrong tables"
caught_up

# 5. A child moved under a parent created since, foreign key live: the child's UPDATE back must come
# before the parent's DELETE, whose ON DELETE CASCADE would otherwise remove the child first.
run "INSERT INTO rw_parent VALUES (-100, 'stays'); INSERT INTO rw_child VALUES (-101, -100, 1)"
caught_up
run "CALL tt_capture(9100, NULL)"
run "INSERT INTO rw_parent VALUES (-102, 'new since'); UPDATE rw_child SET parent_id = -102, v = 2 WHERE id = -101"
caught_up
"$PGTRAIL" rewind --source "$CONN" --to "$(at 9100)" >"$WORK/cascade.sql" 2>"$WORK/cascade.err" || { cat "$WORK/cascade.err"; fail "rewind past a child moved under a new parent"; }
check_step 9100 "rewind past a child moved under a new parent"
grep -n "rw_" "$WORK/cascade.sql"
caught_up

# 6. An instant before the baseline; an erased row; bad input.
expect_rewind_refused "begins after it (its baseline was taken at" --to "$(q "SELECT min(committed_at) - interval '1 hour' FROM changes")"
k=$(q "SELECT primary_key FROM changes WHERE \"table\" = 'tt_toast' AND operation = 'CREATE' AND committed_at > '$(at 0)' LIMIT 1")
if [ -n "$k" ]; then
    "$PGTRAIL" forget --source "$CONN" tt_toast "$k" >/dev/null 2>&1 || fail "forget tt_toast $k"
    expect_rewind_refused "cannot be restored: it was erased by pgtrail.forget" --to "$(at 0)"
fi
expect_rewind_refused "invalid input syntax for type timestamp with time zone" --to "not a time"
status=0
"$PGTRAIL" rewind --source "$CONN" >/dev/null 2>&1 || status=$?
expect_eq "rewind without --to: exit status" "$status" 2
stop_sink
echo "ok"
