#!/usr/bin/env bash
# Regenerates to_jsonb_golden.jsonl: what a real PostgreSQL 15 prints for to_jsonb() of every
# case in to_jsonb_cases.sql, with each value's output text (in the settings the pgoutput
# decoder sets on its replication connection), then the type catalog rows the decoder would
# load (sql/pgoutput_types.sql) for every type the cases use. Run from anywhere, as root or
# the cluster user: bash tests/unit/sink/decode/make_to_jsonb_golden.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../../.." && pwd)
WORK=$(mktemp -d /tmp/pgtrail-golden.XXXXXX)
chmod 755 "$WORK"
trap '"$ROOT/scripts/pg-cluster.sh" destroy "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
PORT=$("$ROOT/scripts/pg-cluster.sh" start "$WORK/pg")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
export PGOPTIONS="-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex -c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -f "$HERE/to_jsonb_cases.sql" >/dev/null
OUT=$HERE/to_jsonb_golden.jsonl
psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT * FROM golden_lines()" >"$OUT"
# Every type the cases name and all they refer to (elements, attributes, domain bases).
OIDS=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "
    WITH RECURSIVE t(oid) AS (
        SELECT DISTINCT typ::regtype::oid FROM cases
        UNION
        SELECT r.oid FROM t JOIN pg_type ty ON ty.oid = t.oid
        CROSS JOIN LATERAL (SELECT ty.typelem AS oid UNION ALL SELECT ty.typbasetype
                            UNION ALL SELECT atttypid FROM pg_attribute WHERE attrelid = ty.typrelid AND attnum > 0) r
        WHERE r.oid <> 0)
    SELECT '{' || string_agg(oid::text, ',') || '}' FROM t")
psql -X -q -At -v ON_ERROR_STOP=1 -v oids="$OIDS" -f "$ROOT/sql/pgoutput_types.sql" | sed 's/^/{"catalog":/; s/$/}/' >>"$OUT"
echo "wrote $(wc -l <"$OUT") lines to $OUT"
