-- Standard decode workload's table: ~10 columns of mixed types, REPLICA IDENTITY FULL.
CREATE TABLE bench_standard (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    note text,              -- quotes, backslashes and non-ASCII: the escaping path
    amount numeric(12,2),
    qty int,
    active boolean,
    tags text[],
    attrs jsonb,
    created_at timestamptz,
    ref uuid
);
ALTER TABLE bench_standard REPLICA IDENTITY FULL;
