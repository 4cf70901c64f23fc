-- The table the sink benchmarks (latency, source cost) update: 100,000 rows, REPLICA IDENTITY FULL.
-- psql variable: name.
CREATE TABLE :name (
    id bigint PRIMARY KEY,
    n int NOT NULL DEFAULT 0,
    note text,
    updated_at timestamptz
);
ALTER TABLE :name REPLICA IDENTITY FULL;
INSERT INTO :name (id, note, updated_at)
SELECT i, 'row ' || i, timestamptz '2026-01-01 00:00:00+00' FROM generate_series(1, 100000) AS i;
VACUUM ANALYZE :name;
