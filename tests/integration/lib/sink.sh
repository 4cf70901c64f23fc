# Shared by integration tests (source it): capture the changes of one database and print them
# as "op table key context" lines in commit order.
#
# Until `pgtrail run` is wired in here, this reads the pgtrail slot directly and applies the
# sink's stitching rule in SQL: a change gets the content of the latest _bemi message before it
# in its transaction, {} when there is none.

sink_start() {
    local db=$1
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -o /dev/null \
        -c "SELECT pg_create_logical_replication_slot('test_$db', 'pgtrail')"
}

sink_wait_caught_up() { :; }

sink_stop() { :; }

sink_changes_summary() {
    local db=$1
    "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
WITH records AS (
    SELECT ordinality AS n, data::jsonb AS r
    FROM pg_logical_slot_get_changes('test_$db', NULL, NULL) WITH ORDINALITY
), numbered AS (
    SELECT n, r, count(*) FILTER (WHERE r->>'op' = 'B') OVER (ORDER BY n) AS xact,
           max(n) FILTER (WHERE r->>'op' = 'M' AND r->>'prefix' = '_bemi') OVER (ORDER BY n) AS last_message
    FROM records
)
SELECT concat_ws(' ', c.r->>'op', c.r->>'table', coalesce(coalesce(c.r->'after', c.r->'before')->>'id', ''),
       CASE WHEN m.n IS NULL THEN '{}'::jsonb
            ELSE (m.r->>'content')::jsonb END)
FROM numbered c
LEFT JOIN numbered m ON m.n = c.last_message AND m.xact = c.xact
WHERE c.r->>'op' IN ('I', 'U', 'D', 'T')
ORDER BY c.n;
SQL
}
