-- Standard decode workload. psql variables: inserts, updates, deletes (row counts).
-- Inserts in 1,000-row transactions, updates of two columns in 1,000-row transactions,
-- deletes in 500-row transactions.
CALL bench_batches($sql$
    INSERT INTO bench_standard
    SELECT i,
           'name-' || i,
           'He said "héllo" to Zoë \ naïve café ' || i,
           (i % 100000) / 7.0,
           i % 1000,
           i % 2 = 0,
           ARRAY['tag-' || i % 10, 'b-' || i % 7],
           jsonb_build_object('k', i, 'v', 'x' || i % 13, 'nested', jsonb_build_object('a', i % 5)),
           timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',
           md5(i::text)::uuid
      FROM generate_series($1, $2) AS i
$sql$, :inserts, 1000);

CALL bench_batches($sql$
    UPDATE bench_standard SET qty = qty + 1, note = note || '!' WHERE id BETWEEN $1 AND $2
$sql$, :updates, 1000);

CALL bench_batches($sql$
    DELETE FROM bench_standard WHERE id BETWEEN $1 AND $2
$sql$, :deletes, 500);
