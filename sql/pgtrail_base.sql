-- Schema pgtrail and the helpers shared by time travel (time_travel.sql) and reversion (revert.sql):
-- which changes table to read, a table's key columns, row keys in the changes table's format, diff().
-- Idempotent: run it on every start. Install order: pgtrail_base.sql, time_travel.sql, revert.sql.

-- (only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
-- exists, which a managed service's role that owns schema pgtrail may lack)
DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- The changes table the functions read: setting pgtrail.changes_table (a possibly schema-qualified
-- name, e.g. ALTER DATABASE app SET pgtrail.changes_table = 'audit.changes'), else "changes".
CREATE OR REPLACE FUNCTION pgtrail.changes_table() RETURNS regclass
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('pgtrail.changes_table', true), ''), 'changes')::regclass
$$;
COMMENT ON FUNCTION pgtrail.changes_table() IS
    'The changes table pgtrail''s functions read: setting pgtrail.changes_table, default "changes".';

-- The key the plugin reports as "pk": the replica identity index's columns (REPLICA IDENTITY USING
-- INDEX), else the primary key's; key columns only (not INCLUDE columns).
CREATE OR REPLACE FUNCTION pgtrail.key_columns(rel regclass) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(a.attname::text ORDER BY k.n)
    FROM (SELECT i.indkey, i.indnkeyatts
          FROM pg_index i
          WHERE i.indrelid = rel AND (i.indisprimary OR i.indisreplident)
          ORDER BY i.indisreplident DESC, i.indisprimary DESC
          LIMIT 1) i
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_attribute a ON a.attrelid = rel AND a.attnum = k.attnum
    WHERE k.n <= i.indnkeyatts
$$;
COMMENT ON FUNCTION pgtrail.key_columns(regclass) IS
    'A table''s key columns in key order: its replica identity index (USING INDEX), else its primary key; NULL if none.';

-- A composite key in one canonical text: the compact JSON array '[v1,v2]' (values as jsonb renders them).
CREATE OR REPLACE FUNCTION pgtrail.normalize_key(key text, composite boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN key IS NULL OR NOT composite THEN key
        ELSE '[' || coalesce((SELECT string_agg(e::text, ',' ORDER BY n)
                              FROM jsonb_array_elements(key::jsonb) WITH ORDINALITY AS x(e, n)), '') || ']'
    END
$$;
COMMENT ON FUNCTION pgtrail.normalize_key(text, boolean) IS
    'A primary_key value in canonical form: unchanged for single-column keys, compact JSON array text for composite keys.';

-- A key given by a user, checked and in canonical form.
CREATE OR REPLACE FUNCTION pgtrail.user_key(rel regclass, key text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.require_key_columns(rel);
BEGIN
    IF cardinality(cols) > 1 AND (key IS NULL OR jsonb_typeof(key::jsonb) IS DISTINCT FROM 'array'
                                  OR jsonb_array_length(key::jsonb) <> cardinality(cols)) THEN
        RAISE EXCEPTION 'key % of table % is not a JSON array of % values (%)', key, rel, cardinality(cols),
                array_to_string(cols, ', ')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Write composite keys like [1,"a"].';
    END IF;
    RETURN pgtrail.normalize_key(key, cardinality(cols) > 1);
EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION 'key % of table % is not a JSON array of % values (%)', key, rel, cardinality(cols),
            array_to_string(cols, ', ')
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Write composite keys like [1,"a"].';
END
$$;
COMMENT ON FUNCTION pgtrail.user_key(regclass, text) IS
    'A row key given by a user, checked against the table''s key and put in canonical form.';

-- The spellings a key may have in primary_key, for index lookups: as given, canonical, jsonb's own.
CREATE OR REPLACE FUNCTION pgtrail.key_spellings(key text, composite boolean) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN NOT composite THEN ARRAY[key]
                ELSE ARRAY[key, pgtrail.normalize_key(key, true), key::jsonb::text] END
$$;
COMMENT ON FUNCTION pgtrail.key_spellings(text, boolean) IS
    'Every spelling of a key that primary_key may hold (composite keys: compact and spaced JSON arrays).';

-- The canonical key of a row image: the single key column's text, or the compact JSON array of the values.
CREATE OR REPLACE FUNCTION pgtrail.key_of(key_columns text[], image jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN image IS NULL OR coalesce(cardinality(key_columns), 0) = 0 THEN NULL
        WHEN cardinality(key_columns) = 1 THEN image ->> key_columns[1]
        ELSE '[' || (SELECT string_agg(coalesce(image -> c, 'null'::jsonb)::text, ',' ORDER BY n)
                     FROM unnest(key_columns) WITH ORDINALITY AS k(c, n)) || ']'
    END
$$;
COMMENT ON FUNCTION pgtrail.key_of(text[], jsonb) IS
    'The canonical primary_key of a row image, given the key columns (as pgtrail.key_columns returns them).';

-- SQL expressions giving a change's row key, comparable with each other inside one query: from
-- primary_key, and from the "before" image (NULL without one). Text for single-column keys, jsonb
-- arrays for composite keys (so '[1,"a"]' and '[1, "a"]' are the same key). `alias` names the row.
CREATE OR REPLACE FUNCTION pgtrail.key_expressions(
    key_columns text[], alias text, OUT from_primary_key text, OUT from_before text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(key_columns) = 1 THEN format('%s.primary_key', alias)
                ELSE format('%s.primary_key::jsonb', alias) END,
           CASE WHEN cardinality(key_columns) = 1 THEN format('(%s.before ->> %L)', alias, key_columns[1])
                ELSE format('(CASE WHEN %s.before IS NOT NULL THEN jsonb_build_array(%s) END)', alias,
                            (SELECT string_agg(format('%s.before -> %L', alias, c), ', ' ORDER BY n)
                             FROM unnest(key_columns) WITH ORDINALITY AS k(c, n))) END
$$;
COMMENT ON FUNCTION pgtrail.key_expressions(text[], text) IS
    'SQL expressions for a changes row''s key, from primary_key and from before, for set-based queries.';

-- The key columns of a row image as a jsonb object, for containment tests (before @> key); NULL when
-- the image lacks one of them.
CREATE OR REPLACE FUNCTION pgtrail.key_object(key_columns text[], image jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN image ?& key_columns THEN
        (SELECT jsonb_object_agg(c, image -> c) FROM unnest(key_columns) AS c) END
$$;
COMMENT ON FUNCTION pgtrail.key_object(text[], jsonb) IS
    'The key columns of a row image as a jsonb object (for before @> ...), or NULL if one is missing.';

-- Columns whose values differ between two images; a NULL image means "no row", so every column differs.
CREATE OR REPLACE FUNCTION pgtrail.diff(before jsonb, after jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN before IS NULL AND after IS NULL THEN '{}'::jsonb
        WHEN before IS NULL THEN (SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(NULL, v)), '{}')
                                  FROM jsonb_each(after) AS a(k, v))
        WHEN after IS NULL THEN (SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(v, NULL)), '{}')
                                 FROM jsonb_each(before) AS b(k, v))
        ELSE (SELECT coalesce(jsonb_object_agg(b.k, jsonb_build_array(b.v, a.v)), '{}')
              FROM jsonb_each(before) AS b(k, v)
              JOIN jsonb_each(after) AS a(k, v) ON a.k = b.k
              WHERE a.v::text <> b.v::text)
    END
$$;
COMMENT ON FUNCTION pgtrail.diff(jsonb, jsonb) IS
    'The columns that differ between two row images, as {"col": [old, new]}; columns missing from either image are left out.';

-- Schema and name of a table, as the changes table stores them.
CREATE OR REPLACE FUNCTION pgtrail.relation_names(rel regclass, OUT schema_name text, OUT table_name text)
LANGUAGE sql STABLE AS $$
    SELECT n.nspname::text, c.relname::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = rel
$$;
COMMENT ON FUNCTION pgtrail.relation_names(regclass) IS
    'The schema and table name under which the changes table records a table''s changes.';

-- A table's name, always schema-qualified and quoted where needed, for SQL that may run elsewhere.
CREATE OR REPLACE FUNCTION pgtrail.qualified_name(rel regclass) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('%I.%I', n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = rel
$$;
COMMENT ON FUNCTION pgtrail.qualified_name(regclass) IS
    'The schema-qualified, quoted name of a table, independent of search_path.';

-- The key columns of a table that time travel and reversion need, with a clear error for keyless tables.
CREATE OR REPLACE FUNCTION pgtrail.require_key_columns(rel regclass) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cols text[] := pgtrail.key_columns(rel);
BEGIN
    IF cols IS NULL THEN
        RAISE EXCEPTION 'table % has no primary key or replica identity index, so its rows cannot be told apart', rel
            USING ERRCODE = 'feature_not_supported';
    END IF;
    RETURN cols;
END
$$;
COMMENT ON FUNCTION pgtrail.require_key_columns(regclass) IS
    'pgtrail.key_columns(rel), or an error naming the table when it has no key.';

-- The marker that stands for a value removed from history (erasure by pgtrail.forget, redaction):
-- one JSON string in place of each column's value, the column's name kept. Defined only here.
CREATE OR REPLACE FUNCTION pgtrail.redaction_marker() RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT '"[redacted]"'::jsonb $$;
COMMENT ON FUNCTION pgtrail.redaction_marker() IS
    'The JSON value that replaces a removed value in row images: the string "[redacted]".';

-- A row image with every value replaced by the marker, except the columns in `keep`.
CREATE OR REPLACE FUNCTION pgtrail.redact_image(image jsonb, keep text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN image IS NULL THEN NULL ELSE
        (SELECT coalesce(jsonb_object_agg(k, CASE WHEN k = ANY (coalesce(keep, '{}')) THEN v
                                                  ELSE pgtrail.redaction_marker() END), '{}')
         FROM jsonb_each(image) AS e(k, v)) END
$$;
COMMENT ON FUNCTION pgtrail.redact_image(jsonb, text[]) IS
    'A row image whose values are all replaced by pgtrail.redaction_marker(), except the columns listed in keep.';

-- The columns of an image holding the marker or a keyed hash of --redact-hash (NULL when none):
-- such an image cannot be written back.
CREATE OR REPLACE FUNCTION pgtrail.redacted_columns(image jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(k ORDER BY k) FROM jsonb_each(image) AS e(k, v)
    WHERE v = pgtrail.redaction_marker()
       OR (jsonb_typeof(v) = 'string' AND v #>> '{}' LIKE '[redacted hmac-sha256:%]')
$$;
COMMENT ON FUNCTION pgtrail.redacted_columns(jsonb) IS
    'The columns of a row image whose value is the redaction marker or its keyed hash; NULL when there are none.';

-- How a change was erased ("erased by pgtrail.forget ..."), or NULL: reads pgtrail.erased_changes
-- (schema version 5) when it exists, so these functions work on an older schema too.
CREATE OR REPLACE FUNCTION pgtrail.erasure_of(change_id uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found text;
BEGIN
    IF to_regclass('pgtrail.erased_changes') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT format(''erased by pgtrail.forget (erasure %s, by %s at %s%s)'', e.id, e.erased_by, e.erased_at,
                           coalesce('': '' || e.reason, ''''))
             FROM pgtrail.erased_changes x JOIN pgtrail.erasures e ON e.id = x.erasure_id WHERE x.change_id = $1'
        INTO found USING change_id;
    RETURN found;
END
$$;
COMMENT ON FUNCTION pgtrail.erasure_of(uuid) IS
    'How a change''s row images were erased (pgtrail.forget), or NULL when they were not.';

-- Retention (docs/POLICIES.md): pgtrail run --retention drops old partitions and records the cut-off.
-- The instant before which retention dropped the history of changes table tbl (NULL: nothing dropped,
-- or pgtrail.policies, migration 6, not there yet).
CREATE OR REPLACE FUNCTION pgtrail.dropped_before(tbl regclass) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found timestamptz;
BEGIN
    IF to_regclass('pgtrail.policies') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT p.dropped_before FROM pgtrail.policies p JOIN pg_class c ON c.oid = $1
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.changes_table = format(''%I.%I'', n.nspname, c.relname)'
        INTO found USING tbl;
    RETURN found;
END
$$;
COMMENT ON FUNCTION pgtrail.dropped_before(regclass) IS
    'The instant before which retention dropped the changes table''s history; NULL when nothing was dropped.';

-- The last commit_lsn of changes table tbl written without moved_from (schema version 9), when those
-- rows hold UPDATEs with an old image: their key changes are found by the old image. NULL: none, or
-- pgtrail.key_move_cuts not there yet.
CREATE OR REPLACE FUNCTION pgtrail.key_move_cut(tbl regclass) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found bigint;
BEGIN
    IF to_regclass('pgtrail.key_move_cuts') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT k.commit_lsn FROM pgtrail.key_move_cuts k JOIN pg_class c ON c.oid = $1
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.changes_table = format(''%I.%I'', n.nspname, c.relname)'
        INTO found USING tbl;
    RETURN found;
END
$$;
COMMENT ON FUNCTION pgtrail.key_move_cut(regclass) IS
    'The last commit_lsn of the changes table written before moved_from existed (their key changes are found by "before"); NULL when none.';

-- `at`, checked against retention: an instant whose history was dropped is an error (the answer
-- would be wrong); a later one gets a NOTICE that rows whose last change is older are missing.
CREATE OR REPLACE FUNCTION pgtrail.within_retention(at timestamptz) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cutoff timestamptz := pgtrail.dropped_before(pgtrail.changes_table());
BEGIN
    IF cutoff IS NULL THEN
        RETURN at;
    END IF;
    IF at IS NOT NULL AND at < cutoff THEN
        RAISE EXCEPTION 'pgtrail: % holds no history before % (dropped by retention); % is older', pgtrail.changes_table(), cutoff, at
            USING ERRCODE = 'data_exception', HINT = 'Ask about an instant after the retention cut-off, or keep more with a longer --retention.';
    END IF;
    RAISE NOTICE 'pgtrail: % holds no history before % (dropped by retention): rows whose last change came before it are missing',
        pgtrail.changes_table(), cutoff;
    RETURN at;
END
$$;
COMMENT ON FUNCTION pgtrail.within_retention(timestamptz) IS
    'Returns at; an error when retention dropped the history before it, else a NOTICE when retention dropped anything.';
