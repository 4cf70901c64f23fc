# The replay oracle for integration tests (bash; source after tests/integration/sink/lib.sh,
# which gives q, run, fail, WORK). See oracle.sql for what it checks.
#
#   oracle_install              the oracle schema in the current database (PGPORT)
#   oracle_workload_install     the mixed workload's tables (tracked) and procedure
#   oracle_workload TXNS SEED   runs it in chunks of ORACLE_CHUNK transactions (ORACLE_PAUSE
#                               seconds apart); a chunk cut by a server restart is retried
#   oracle_check [CHANGES]      fails the test on any problem; prints a summary line
#   ORACLE_SINK_OPTS            pass these to start_sink (the oracle's own tables are not tracked)
ORACLE_DIR=$(dirname "${BASH_SOURCE[0]}")
ORACLE_SINK_OPTS=(--exclude-tables 'oracle.*')
ORACLE_CHUNK=${ORACLE_CHUNK:-250}

oracle_install() { psql -X -q -v ON_ERROR_STOP=1 -f "$ORACLE_DIR/oracle.sql" >/dev/null; }
oracle_workload_install() { psql -X -q -v ON_ERROR_STOP=1 -f "$ORACLE_DIR/oracle_workload.sql" >/dev/null; }

# oracle_workload TXNS SEED: about 10 changes per transaction. Survives server restarts:
# a chunk that fails is run again with another seed (the counts come from triggers, so a
# chunk cut half way counts exactly what it committed).
oracle_workload() {
    local txns=$1 seed=$2 done_txns=0 chunk attempt=0
    while [ "$done_txns" -lt "$txns" ]; do
        chunk=$(( txns - done_txns < ORACLE_CHUNK ? txns - done_txns : ORACLE_CHUNK ))
        attempt=$((attempt + 1))
        if psql -X -q -v ON_ERROR_STOP=1 -c "CALL oracle.workload($chunk, $seed + $attempt * 0.0001)" \
                >>"$WORK/workload.log" 2>&1; then
            done_txns=$((done_txns + chunk))
            [ -z "${ORACLE_PAUSE:-}" ] || sleep "$ORACLE_PAUSE"
        else
            echo "workload: chunk failed (attempt $attempt), retrying" >>"$WORK/workload.log"
            [ "$attempt" -lt 10000 ] || fail "workload cannot run"
            sleep 0.5
        fi
    done
}

# oracle_copy_changes DEST_PORT: a copy of a separate destination's changes table as
# oracle.dest_changes in the current database, for oracle_check oracle.dest_changes.
oracle_copy_changes() {
    run "DROP TABLE IF EXISTS oracle.dest_changes;
         CREATE TABLE oracle.dest_changes (schema text, \"table\" text, operation text, primary_key text,
             before jsonb, after jsonb, unchanged text[], commit_lsn bigint, ordinal int, context jsonb, lossy text[])"
    PGPORT=$1 psql -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT schema, \"table\", operation, primary_key, before, after,
        unchanged, commit_lsn, ordinal, context, lossy FROM changes) TO STDOUT" |
        psql -X -q -v ON_ERROR_STOP=1 -c "COPY oracle.dest_changes FROM STDIN"
}

# oracle_check [CHANGES_TABLE]: zero lost, zero duplicated, tables equal, counts equal.
oracle_check() {
    local changes=${1:-public.changes} problems summary
    problems=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT * FROM oracle.check('$changes')" 2>&1) ||
        fail "oracle failed to run: $problems"
    summary=$(q "SELECT oracle.summary('$changes')")
    if [ -n "$problems" ]; then
        echo "$problems" | head -40 >&2
        fail "oracle: $(echo "$problems" | wc -l) problems ($summary)"
    fi
    [ "$(q "SELECT coalesce(sum(n), 0) > 0 FROM oracle.ops")" = t ] || fail "oracle: the workload made no operations"
    echo "oracle: ok: $summary"
}
