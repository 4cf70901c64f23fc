#!/usr/bin/env bash
# The replay oracle itself: a clean run passes, and each kind of damage to changes (a lost
# change, a duplicated one, a wrong image, a wrong key, a lost unchanged column, a wrong
# order) is reported. Without this a silent oracle would prove nothing.
source "$(dirname "$0")/../sink/lib.sh"
source "$(dirname "$0")/../lib/oracle.sh"
start_cluster src --plugin-dir "$PLUGIN_DIR"
oracle_install
oracle_workload_install
start_sink "${ORACLE_SINK_OPTS[@]}"
wait_for "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgtrail' AND active" 1
oracle_workload 600 0.3
caught_up
stop_sink
oracle_check

# must_catch NAME SQL: the damage done by SQL (rolled back afterwards) makes the oracle complain.
must_catch() {
    local found
    found=$(psql -X -q -At -v ON_ERROR_STOP=1 <<SQL 2>&1
BEGIN;
$2;
SELECT count(*) FROM oracle.check();
ROLLBACK;
SQL
)
    [ "${found##*$'\n'}" -gt 0 ] 2>/dev/null || fail "the oracle missed: $1 (got: $found)"
    echo "oracle catches: $1"
}
pick="(SELECT id FROM changes WHERE \"table\" = %s AND operation = %s ORDER BY commit_lsn DESC, ordinal LIMIT 1)"
at() { printf "$pick" "'$1'" "'$2'"; }
must_catch "a lost CREATE"          "DELETE FROM changes WHERE id = $(at w_events CREATE)"
must_catch "a lost UPDATE"          "DELETE FROM changes WHERE id = $(at w_accounts UPDATE)"
must_catch "a lost DELETE"          "DELETE FROM changes WHERE id = $(at w_full DELETE)"
must_catch "a lost TRUNCATE"        "DELETE FROM changes WHERE id = $(at w_pairs TRUNCATE)"
must_catch "a duplicated change"    "INSERT INTO changes (primary_key, before, after, context, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, ordinal, unchanged)
                                     SELECT primary_key, before, after, context, database, schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn + 1, ordinal, unchanged
                                     FROM changes WHERE id = $(at w_accounts UPDATE)"
must_catch "a wrong after image"    "UPDATE changes SET after = after || '{\"note\": \"tampered\"}' WHERE id = $(at w_accounts UPDATE)"
must_catch "a wrong before image"   "UPDATE changes SET before = before || '{\"v\": \"tampered\"}' WHERE id = $(at w_full DELETE)"
must_catch "a wrong primary_key"    "UPDATE changes SET primary_key = '999999' WHERE id = $(at w_events CREATE)"
must_catch "a lost unchanged column" "UPDATE changes SET unchanged = NULL WHERE id = (SELECT id FROM changes WHERE cardinality(unchanged) > 0 ORDER BY commit_lsn DESC LIMIT 1)"
must_catch "two updates of a key swapped" "DO \$\$ DECLARE a record; b record; k text; BEGIN
        SELECT primary_key INTO k FROM (SELECT primary_key, operation, row_number() OVER (PARTITION BY primary_key ORDER BY commit_lsn DESC, ordinal DESC) rn
                                          FROM changes WHERE \"table\" = 'w_docs') s
         WHERE rn <= 2 GROUP BY 1 HAVING count(*) = 2 AND bool_and(operation = 'UPDATE') LIMIT 1;
        SELECT id, commit_lsn, ordinal INTO a FROM changes WHERE \"table\" = 'w_docs' AND primary_key = k ORDER BY commit_lsn DESC LIMIT 1;
        SELECT id, commit_lsn, ordinal INTO b FROM changes WHERE \"table\" = 'w_docs' AND primary_key = k ORDER BY commit_lsn DESC OFFSET 1 LIMIT 1;
        UPDATE changes SET commit_lsn = -1 WHERE id = a.id;
        UPDATE changes SET commit_lsn = a.commit_lsn, ordinal = a.ordinal WHERE id = b.id;
        UPDATE changes SET commit_lsn = b.commit_lsn, ordinal = b.ordinal WHERE id = a.id;
    END \$\$"
must_catch "a change the workload did not make" "UPDATE oracle.ops SET n = n + 1 WHERE ctid = (SELECT ctid FROM oracle.ops WHERE tbl = 'w_docs' LIMIT 1)"
echo "ok"
