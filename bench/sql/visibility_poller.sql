-- When did each source commit become visible in changes? A poller records, every few
-- milliseconds, the highest commit_lsn visible; a change became visible at the first poll
-- that saw its commit_lsn. (The destination's own commit timestamps cannot say it: under
-- a replication origin they carry the source's commit time.)
CREATE UNLOGGED TABLE bench_visibility (seen_at timestamptz, commit_lsn bigint);

CREATE PROCEDURE bench_poll_visibility(seconds float8, interval_ms int)
LANGUAGE plpgsql AS $$
DECLARE
    stop_at timestamptz := clock_timestamp() + seconds * interval '1 second';
    seen_at timestamptz[] := '{}';
    lsns bigint[] := '{}';
    lsn bigint;
BEGIN
    WHILE clock_timestamp() < stop_at LOOP
        SELECT max(c.commit_lsn) INTO lsn FROM changes c;   -- a new snapshot per statement
        seen_at := seen_at || clock_timestamp();
        lsns := lsns || lsn;
        PERFORM pg_sleep(interval_ms / 1000.0);
    END LOOP;
    INSERT INTO bench_visibility SELECT * FROM unnest(seen_at, lsns);
END
$$;
