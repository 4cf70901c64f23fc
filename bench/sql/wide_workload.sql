-- Wide-row variant: the standard workload's shape on the 100-column table.
-- psql variables: inserts, updates, deletes.
CALL bench_batches(bench_wide_insert(), :inserts, 1000);

CALL bench_batches($sql$
    UPDATE bench_wide SET c5 = c5 + 1, c6 = c6 || '!' WHERE id BETWEEN $1 AND $2
$sql$, :updates, 1000);

CALL bench_batches($sql$
    DELETE FROM bench_wide WHERE id BETWEEN $1 AND $2
$sql$, :deletes, 500);
