-- Benchmark helpers: the publication pgoutput reads, batched workloads, timed peeks and statements.
-- Run once per cluster, before any slot exists (pgoutput looks the publication up
-- in the historic catalog, so it must predate the slots).

CREATE PUBLICATION bench_pub FOR ALL TABLES;

-- Runs a batched statement ($1 = first row, $2 = last row of the batch), one transaction per batch.
CREATE PROCEDURE bench_batches(stmt text, total int, batch int)
LANGUAGE plpgsql AS $$
DECLARE
    lo int := 1;
BEGIN
    WHILE lo <= total LOOP
        EXECUTE stmt USING lo, least(lo + batch - 1, total);
        COMMIT;
        lo := lo + batch;
    END LOOP;
END
$$;

-- Decodes everything the slot holds without consuming it (peek), server side only:
-- no network, no client parsing. Returns the elapsed time, output rows and output bytes.
-- work_mem keeps the function's tuplestore in memory for every plugin alike.
CREATE FUNCTION bench_peek(slot name, is_binary boolean, options text[],
                           OUT seconds float8, OUT records bigint, OUT bytes bigint)
LANGUAGE plpgsql SET work_mem = '4GB' AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    IF is_binary THEN
        SELECT count(*), coalesce(sum(octet_length(data)), 0) INTO records, bytes
          FROM pg_logical_slot_peek_binary_changes(slot, NULL, NULL, VARIADIC options);
    ELSE
        SELECT count(*), coalesce(sum(octet_length(data)), 0) INTO records, bytes
          FROM pg_logical_slot_peek_changes(slot, NULL, NULL, VARIADIC options);
    END IF;
    seconds := extract(epoch FROM clock_timestamp() - t0);
END
$$;

-- Elapsed seconds of one statement, measured in the server.
CREATE FUNCTION bench_time(statement text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    EXECUTE statement;
    RETURN extract(epoch FROM clock_timestamp() - t0);
END
$$;
