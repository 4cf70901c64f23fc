-- Wide-row variant's table: a bigint key and 99 more columns cycling through
-- int, text, numeric(12,2), boolean and timestamptz; REPLICA IDENTITY FULL.
DO $$
DECLARE
    types text[] := ARRAY['int', 'text', 'numeric(12,2)', 'boolean', 'timestamptz'];
    cols text := '';
BEGIN
    FOR c IN 1..99 LOOP
        cols := cols || format(', c%s %s', c, types[1 + c % 5]);
    END LOOP;
    EXECUTE format('CREATE TABLE bench_wide (id bigint PRIMARY KEY%s)', cols);
    EXECUTE 'ALTER TABLE bench_wide REPLICA IDENTITY FULL';
END
$$;

-- The INSERT ... SELECT that fills rows $1..$2, built from the table's own columns.
CREATE FUNCTION bench_wide_insert() RETURNS text LANGUAGE sql AS $$
    SELECT 'INSERT INTO bench_wide SELECT i'
           || string_agg(CASE format_type(atttypid, atttypmod)
                             WHEN 'integer' THEN ', i + ' || attnum
                             WHEN 'text' THEN ', ''value '' || (i + ' || attnum || ')'
                             WHEN 'numeric(12,2)' THEN ', (i + ' || attnum || ') / 3.0'
                             WHEN 'boolean' THEN ', (i + ' || attnum || ') % 2 = 0'
                             ELSE ', timestamptz ''2026-01-01 00:00:00+00'' + (i + ' || attnum || ') * interval ''1 minute'''
                         END, '' ORDER BY attnum)
           || ' FROM generate_series($1, $2) AS i'
      FROM pg_attribute
     WHERE attrelid = 'bench_wide'::regclass AND attnum > 1 AND NOT attisdropped
$$;
