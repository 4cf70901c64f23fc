-- Data policies on the changes table (docs/POLICIES.md): time partitions and retention, run by
-- pgtrail run --partition-by / --retention. (What time travel says about instants whose history
-- retention dropped is in pgtrail_base.sql.) Needs pgtrail_base.sql. Idempotent.

DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- The partition name for the range starting at lo: <table>_pYYYYMMDD (day) or <table>_pYYYYMM (month), UTC.
CREATE OR REPLACE FUNCTION pgtrail.partition_name(rel text, unit text, lo timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT rel || '_p' || to_char(lo AT TIME ZONE 'UTC', CASE unit WHEN 'day' THEN 'YYYYMMDD' ELSE 'YYYYMM' END)
$$;

-- Creates the partitions of changes table tbl (partitioned by range of committed_at) for each unit
-- (day or month, UTC boundaries) from the one holding `since` (default: the one before now) to
-- `ahead` units after now. A range that already has a partition, or whose rows already sit in the
-- default partition, is skipped: nothing here fails for a row. Returns the partitions created.
CREATE OR REPLACE FUNCTION pgtrail.create_partitions(tbl regclass, unit text, ahead integer, since timestamptz DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    nsp text;
    rel text;
    step interval;
    now_start timestamptz;
    lo timestamptz;
    part text;
BEGIN
    IF unit IS NULL OR unit NOT IN ('day', 'month') THEN
        RAISE EXCEPTION 'pgtrail: partition unit must be day or month, not %', unit USING ERRCODE = 'invalid_parameter_value';
    END IF;
    step := ('1 ' || unit)::interval;
    SELECT n.nspname, c.relname INTO nsp, rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    now_start := date_trunc(unit, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    lo := least(coalesce(date_trunc(unit, since AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', now_start - step), now_start - step);
    WHILE lo <= now_start + ahead * step LOOP
        part := pgtrail.partition_name(rel, unit, lo);
        IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', nsp, part, tbl, lo, lo + step);
                RETURN NEXT part;
            EXCEPTION WHEN check_violation OR invalid_object_definition THEN
                -- rows of this range in the default partition (they stay there), or another partition overlaps
                RAISE NOTICE 'pgtrail: partition % not created: %', part, SQLERRM;
            END;
        END IF;
        lo := lo + step;
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.create_partitions(regclass, text, integer, timestamptz) IS
    'Creates the day or month partitions of a partitioned changes table from since (or the unit before now) to ahead units after now.';

-- Retention: drops every range partition of tbl whose range ended before now() - keep, deletes the
-- rows older than that from the default partition, and records the cut-off in pgtrail.policies for
-- the time travel functions. Returns what went: the partition, its upper bound, its rows (an estimate
-- for a dropped partition, exact for the default partition's deleted rows), whole: a dropped partition.
CREATE OR REPLACE FUNCTION pgtrail.drop_expired_partitions(tbl regclass, keep interval)
RETURNS TABLE (dropped text, upper_bound timestamptz, rows_gone bigint, whole boolean)
LANGUAGE plpgsql AS $$
DECLARE
    cutoff timestamptz := now() - keep;
    r record;
    bound timestamptz;
    dropped_until timestamptz;
BEGIN
    IF keep IS NULL OR keep <= interval '0' THEN
        RAISE EXCEPTION 'pgtrail: retention must be a positive interval, not %', keep USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR r IN SELECT c.oid::regclass AS part, pg_get_expr(c.relpartbound, c.oid) AS expr, greatest(c.reltuples, 0)::bigint AS estimate
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = tbl
             ORDER BY c.relname LOOP
        IF r.expr = 'DEFAULT' THEN
            EXECUTE format('DELETE FROM %s WHERE committed_at < $1', r.part) USING cutoff;
            GET DIAGNOSTICS rows_gone = ROW_COUNT;
            IF rows_gone > 0 THEN
                dropped := r.part::text;
                upper_bound := cutoff;
                whole := false;
                dropped_until := greatest(dropped_until, cutoff);
                RETURN NEXT;
            END IF;
            CONTINUE;
        END IF;
        bound := (regexp_match(r.expr, 'TO \(''([^'']*)''\)'))[1]::timestamptz;
        CONTINUE WHEN bound IS NULL OR bound > cutoff;
        dropped := r.part::text;
        upper_bound := bound;
        rows_gone := r.estimate;
        whole := true;
        EXECUTE format('DROP TABLE %s', r.part);
        dropped_until := greatest(dropped_until, bound);
        RETURN NEXT;
    END LOOP;
    IF dropped_until IS NOT NULL AND to_regclass('pgtrail.policies') IS NOT NULL THEN
        EXECUTE 'INSERT INTO pgtrail.policies AS p (changes_table, retention, dropped_before)
                 SELECT format(''%I.%I'', n.nspname, c.relname), $2, $3 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1
                 ON CONFLICT (changes_table) DO UPDATE
                 SET retention = excluded.retention, dropped_before = greatest(p.dropped_before, excluded.dropped_before), updated_at = now()'
            USING tbl, keep, dropped_until;
    END IF;
END
$$;
COMMENT ON FUNCTION pgtrail.drop_expired_partitions(regclass, interval) IS
    'Retention: drops the partitions whose range ended more than keep ago and deletes older rows from the default partition.';
