-- Erasure (the right to be forgotten): pgtrail.forget(table, key) replaces every stored image of a row
-- with the redaction marker and logs it in pgtrail.erasures. Needs pgtrail_base.sql and the tables
-- pgtrail.erasures and pgtrail.erased_changes (schema version 5, created by pgtrail setup / run).
-- Idempotent.
--
-- "The row" is every change recorded under its key, followed through key changes in both directions
-- (an UPDATE from key 1 to key 2 makes 2's changes the same row's, and 1's too when forgetting 2). A
-- key used by several rows over time (deleted, then inserted again) erases all of them.

-- (only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
-- exists, which a managed service's role that owns schema pgtrail may lack)
DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- Every canonical key the row with `key` had, following the recorded key changes.
CREATE OR REPLACE FUNCTION pgtrail.row_keys(rel regclass, key text) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    keys text[];
BEGIN
    EXECUTE format($query$
        WITH RECURSIVE moves AS (
            SELECT DISTINCT pgtrail.key_of($3, before) AS a, pgtrail.normalize_key(primary_key, $4) AS b
            FROM %s
            WHERE schema = $1 AND "table" = $2 AND operation = 'UPDATE' AND before IS NOT NULL
              AND pgtrail.key_of($3, before) IS DISTINCT FROM pgtrail.normalize_key(primary_key, $4)
        ), lineage(k) AS (
            SELECT $5
            UNION
            SELECT CASE WHEN m.a = l.k THEN m.b ELSE m.a END FROM moves m JOIN lineage l ON l.k IN (m.a, m.b)
        )
        SELECT array_agg(k ORDER BY k) FROM lineage WHERE k IS NOT NULL
        $query$, pgtrail.changes_table())
        INTO keys
        USING names.schema_name, names.table_name, cols, cardinality(cols) > 1, pgtrail.user_key(rel, key);
    RETURN keys;
END
$$;
COMMENT ON FUNCTION pgtrail.row_keys(regclass, text) IS
    'The canonical keys a row has had in the changes table, following key changes (for pgtrail.forget).';

-- Erases row `key` of `rel` from history, in the caller's transaction: before and after of each of its
-- changes (CREATE, UPDATE, DELETE, SNAPSHOT) keep their column names but every value becomes
-- pgtrail.redaction_marker(), except the key columns unless with_key (then primary_key becomes NULL
-- and the log does not name the key either). Operation, times, transaction and context stay. Logs
-- the erasure in pgtrail.erasures and each erased change in pgtrail.erased_changes, so that revert,
-- rewind and time travel know the values are gone. Returns the number of changes erased.
CREATE OR REPLACE FUNCTION pgtrail.forget(rel regclass, key text, with_key boolean DEFAULT false,
                                          reason text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
    names record := pgtrail.relation_names(rel);
    composite boolean := cardinality(pgtrail.require_key_columns(rel)) > 1;
    keys text[];
    spellings text[];
    erased uuid[];
    erasure bigint;
BEGIN
    IF to_regclass('pgtrail.erasures') IS NULL OR to_regclass('pgtrail.erased_changes') IS NULL THEN
        RAISE EXCEPTION 'the erasure log (pgtrail.erasures, pgtrail.erased_changes) does not exist in this database'
            USING ERRCODE = 'undefined_table',
                  HINT = 'pgtrail setup or pgtrail run creates it (schema version 5).';
    END IF;
    keys := pgtrail.row_keys(rel, key);
    spellings := ARRAY(SELECT DISTINCT s FROM unnest(keys) AS k, unnest(pgtrail.key_spellings(k, composite)) AS s);
    -- One pass over the table's changes: under one of the row's keys, or moving from one of them.
    EXECUTE format($query$
        WITH erased AS (
            UPDATE %s c SET before = pgtrail.redact_image(c.before, $4),
                            after = pgtrail.redact_image(c.after, $4),
                            primary_key = CASE WHEN $5 THEN NULL ELSE c.primary_key END
            WHERE c.schema = $1 AND c."table" = $2 AND c.operation <> 'TRUNCATE'
              AND (c.primary_key = ANY ($3)
                   OR (c.operation = 'UPDATE' AND pgtrail.key_of($6, c.before) = ANY ($7)))
            RETURNING c.id
        )
        SELECT array_agg(id) FROM erased
        $query$, pgtrail.changes_table())
        INTO erased
        USING names.schema_name, names.table_name, spellings, CASE WHEN with_key THEN '{}'::text[] ELSE cols END,
              with_key, cols, keys;
    INSERT INTO pgtrail.erasures (changes_table, schema, "table", key, with_key, reason, rows)
    VALUES (pgtrail.qualified_name(pgtrail.changes_table()), names.schema_name, names.table_name,
            CASE WHEN NOT with_key THEN pgtrail.user_key(rel, key) END, with_key, reason, coalesce(cardinality(erased), 0))
    RETURNING id INTO erasure;
    INSERT INTO pgtrail.erased_changes (change_id, erasure_id)
    SELECT id, erasure FROM unnest(erased) AS id
    ON CONFLICT (change_id) DO NOTHING;
    RETURN coalesce(cardinality(erased), 0);
END
$$;
COMMENT ON FUNCTION pgtrail.forget(regclass, text, boolean, text) IS
    'Erases every stored image of a row (following key changes) with the redaction marker, logged in pgtrail.erasures; not reversible.';
