-- Application context for pgtrail, compatible with Bemi's ORM packages.
--
-- Bemi's packages append /*Bemi {"user_id":1,...} Bemi*/ to every write. The trigger below reads
-- that comment from current_query() and emits it as a transactional logical message with prefix
-- '_bemi' right before the row change, exactly as Bemi's own _bemi_row_trigger_func does; the sink
-- gives each change the context of the latest such message before it in its transaction.
-- Applications without an ORM package call pgtrail.set_context() instead.
--
-- Idempotent: run it again at will (pgtrail setup --context does).

-- (only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
-- exists, which a managed service's role that owns schema pgtrail may lack)
DO $$ BEGIN IF to_regnamespace('pgtrail') IS NULL THEN CREATE SCHEMA pgtrail; END IF; END $$;

-- The context of the current statement: its /*Bemi ... Bemi*/ comment, else set_context()'s.
-- The packages append the comment at the end of the statement, so the LAST one is taken: a
-- look-alike inside a string value earlier in the statement cannot override the real one.
CREATE OR REPLACE FUNCTION pgtrail.current_context() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(CASE WHEN strpos(q, '/*Bemi ') > 0
                                THEN split_part(split_part(q, '/*Bemi ', -1), ' Bemi*/', 1) END, ''),
                    nullif(current_setting('pgtrail.context', true), ''),
                    '')
    FROM (SELECT current_query() AS q) statement
$$;
COMMENT ON FUNCTION pgtrail.current_context() IS
    'Context of the running statement: its /*Bemi ... Bemi*/ comment, else the transaction''s pgtrail.set_context(), else empty';

-- Emits a context message only when the context differs from the last one this transaction
-- emitted, so a statement without context after one with context gets {} and not its neighbour's.
-- (set_config(..., true) is transaction-local and rolls back with a savepoint, like the message.)
CREATE OR REPLACE FUNCTION pgtrail.emit_context(context text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF context IS DISTINCT FROM coalesce(current_setting('pgtrail.last_context', true), '') THEN
        PERFORM pg_logical_emit_message(true, '_bemi', CASE WHEN context = '' THEN '{}' ELSE context END);
        PERFORM set_config('pgtrail.last_context', context, true);
    END IF;
END
$$;
COMMENT ON FUNCTION pgtrail.emit_context(text) IS
    'Emits a _bemi context message unless it repeats the last one of this transaction';

CREATE OR REPLACE FUNCTION pgtrail.context_row_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pgtrail.emit_context(pgtrail.current_context());
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION pgtrail.context_row_trigger() IS
    'BEFORE ROW trigger: emits the statement''s context right before each row change';

CREATE OR REPLACE FUNCTION pgtrail.context_statement_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pgtrail.emit_context(pgtrail.current_context());
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION pgtrail.context_statement_trigger() IS
    'BEFORE TRUNCATE trigger: emits the statement''s context right before the truncate';

-- Sets the context of the following changes of this transaction (never beyond it, so it is safe
-- with transaction-pooling connection poolers).
CREATE OR REPLACE FUNCTION pgtrail.set_context(context jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF context IS NULL OR jsonb_typeof(context) <> 'object' THEN
        RAISE EXCEPTION 'pgtrail.set_context: context must be a JSON object, got %', coalesce(jsonb_typeof(context), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('pgtrail.context', context::text, true);
    PERFORM pgtrail.emit_context(context::text);
END
$$;
COMMENT ON FUNCTION pgtrail.set_context(jsonb) IS
    'Sets the application context (a JSON object) of the following changes in this transaction';

-- Attaches the context triggers to one table (CREATE OR REPLACE: safe to repeat). Takes a lock on
-- that table only.
CREATE OR REPLACE PROCEDURE pgtrail.attach_context_trigger(rel regclass)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER pgtrail_context_row BEFORE INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION pgtrail.context_row_trigger()', rel);
    EXECUTE format('CREATE OR REPLACE TRIGGER pgtrail_context_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION pgtrail.context_statement_trigger()', rel);
END
$$;
COMMENT ON PROCEDURE pgtrail.attach_context_trigger(regclass) IS
    'Attaches pgtrail''s context triggers to one table';

-- Whether a table gets the context triggers: a user table or partitioned table, not a partition
-- (it inherits its parent's), not temporary (never decoded), not pgtrail's own nor the changes table.
CREATE OR REPLACE FUNCTION pgtrail.context_trigger_wanted(rel regclass, changes_table regclass) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT c.relkind IN ('r', 'p')
       AND NOT c.relispartition
       AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgtrail')
       AND n.nspname NOT LIKE 'pg\_%'
       AND c.oid IS DISTINCT FROM changes_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = rel
$$;
COMMENT ON FUNCTION pgtrail.context_trigger_wanted(regclass, regclass) IS
    'Whether pgtrail''s context triggers belong on a table';

-- Attaches the context triggers to every user table (or to one publication's tables), except
-- pgtrail's own tables and temporary tables (never decoded). Safe to call repeatedly; locks
-- every such table, so run it when tables are added, not per statement.
CREATE OR REPLACE PROCEDURE pgtrail.attach_context_triggers(publication name DEFAULT NULL,
                                                            changes_table regclass DEFAULT to_regclass('changes'))
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE pgtrail.context_trigger_wanted(c.oid, changes_table)
          AND (publication IS NULL OR EXISTS (
                SELECT 1 FROM pg_publication_tables pt
                WHERE pt.pubname = publication AND pt.schemaname = n.nspname AND pt.tablename = c.relname))
    LOOP
        CALL pgtrail.attach_context_trigger(rel);
    END LOOP;
END
$$;
COMMENT ON PROCEDURE pgtrail.attach_context_triggers(name, regclass) IS
    'Attaches pgtrail''s context triggers to every user table, or to one publication''s tables';

-- Event trigger: the triggers go on the tables this command created, and on nothing else (touching
-- every table would lock each one, so a CREATE TEMP TABLE would wait behind any open transaction).
-- Temporary tables, partitions (they inherit the triggers of their partitioned table), pgtrail's
-- own schema and the changes table are left alone.
CREATE OR REPLACE FUNCTION pgtrail.attach_context_triggers_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass;
    changes_rel regclass := to_regclass(coalesce(nullif(current_setting('pgtrail.changes_table', true), ''), 'changes'));
BEGIN
    FOR rel IN
        SELECT DISTINCT d.objid::regclass
        FROM pg_event_trigger_ddl_commands() d
        WHERE d.classid = 'pg_class'::regclass AND d.object_type = 'table'
          AND pgtrail.context_trigger_wanted(d.objid, changes_rel)
    LOOP
        CALL pgtrail.attach_context_trigger(rel);
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.attach_context_triggers_on_create() IS
    'Event trigger: attaches the context triggers to each table as it is created, and to no other';

CALL pgtrail.attach_context_triggers();

-- New tables get the triggers too, where the role may create event triggers (superusers only).
DO $$
BEGIN
    DROP EVENT TRIGGER IF EXISTS pgtrail_context_on_create_table;
    CREATE EVENT TRIGGER pgtrail_context_on_create_table ON ddl_command_end
        WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
        EXECUTE FUNCTION pgtrail.attach_context_triggers_on_create();
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pgtrail: not allowed to create an event trigger; after adding tables run CALL pgtrail.attach_context_triggers(); (%)', SQLERRM;
END
$$;
