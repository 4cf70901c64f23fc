#!/usr/bin/env bash
# The reader against a pgtrail plugin older than max-message-bytes (today's plugin without the
# option, built here as tests/integration/sink/big_value_test.sh builds it): the plugin refuses
# the option, so the reader starts again without it as `run` does (stream/source_start.h), logs
# one warning, and every change reaches the stream and, through a writer, the destination.
source "$(dirname "$0")/lib.sh"
build_legacy_plugin "$WORK/legacy"
start_cluster src --plugin-dir "$WORK/legacy"
legacy_plugin_refuses_pieces
nats_cluster_start 1
NATS_REPLICAS=1
run "CREATE TABLE t (id int PRIMARY KEY, v text)"
start_reader
wait_slot_active
start_writer main "$PORT"
# 2000 rows in one transaction (several messages under the 64 kB max payload), then updates and deletes.
run "INSERT INTO t SELECT i, repeat('x', 100) FROM generate_series(1, 2000) i"
run "UPDATE t SET v = 'y' WHERE id <= 10"
run "DELETE FROM t WHERE id > 1990"
pipeline_caught_up main
expect_eq "every change arrived once" \
    "$(q "SELECT string_agg(operation || ' ' || n, ', ' ORDER BY operation) FROM (SELECT operation, count(*) AS n FROM changes WHERE \"table\" = 't' GROUP BY 1) o")
$(q "SELECT count(DISTINCT (commit_lsn, ordinal)) FROM changes WHERE \"table\" = 't'")" "CREATE 2000, DELETE 10, UPDATE 10
2020"
expect_eq "each row's last change is the row" \
    "$(q "SELECT count(*) FROM (SELECT DISTINCT ON (primary_key) operation, after FROM changes WHERE \"table\" = 't'
                               ORDER BY primary_key, commit_lsn DESC, ordinal DESC) last
          JOIN t ON last.after = to_jsonb(t) WHERE last.operation <> 'DELETE'") $(q "SELECT count(*) FROM t")" "1990 1990"
expect_eq "one warning about the old plugin" "$(grep -c "older than this sink and cannot send a record in pieces" "$WORK/reader.log")" 1
no_duplicate_errors
stop_writer main
stop_reader
echo "ok"
