-- TOAST variant. psql variables: inserts, updates, deletes.
-- Inserts of 20 kB values in 100-row transactions; updates that do not touch the
-- TOASTed column (passes over the rows) in 1,000-row transactions; deletes in 500-row transactions.
CALL bench_batches($sql$
    INSERT INTO bench_toast
    SELECT i, i % 1000, 'row ' || i, repeat(md5(i::text), 625)   -- 20,000 bytes
      FROM generate_series($1, $2) AS i
$sql$, :inserts, 100);

-- Update number k touches row (k - 1) % inserts + 1 (a batch never touches a row twice).
CALL bench_batches(format($sql$
    UPDATE bench_toast SET qty = qty + 1, note = note || '!'
     WHERE id IN (SELECT (k - 1) %% %s + 1 FROM generate_series($1, $2) AS k)
$sql$, :inserts), :updates, least(1000, :inserts));

CALL bench_batches($sql$
    DELETE FROM bench_toast WHERE id BETWEEN $1 AND $2
$sql$, :deletes, 500);
