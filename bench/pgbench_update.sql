-- pgbench script of the sink benchmarks: one single-row UPDATE per transaction (one change).
\set id random(1, 100000)
UPDATE bench_tracked SET n = n + 1, updated_at = now() WHERE id = :id;
