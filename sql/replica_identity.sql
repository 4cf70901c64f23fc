-- REPLICA IDENTITY FULL for tables created from now on, so their changes carry the whole "before" row.
-- Installed by `pgtrail setup --event-trigger` (event triggers need a superuser). Idempotent.
-- The changes table itself (setting pgtrail.changes_table, else "changes") is left alone, and so are
-- temporary tables (never decoded).

CREATE SCHEMA IF NOT EXISTS pgtrail;

CREATE OR REPLACE FUNCTION pgtrail.replica_identity_full_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    cmd record;
    changes_rel regclass := to_regclass(coalesce(nullif(current_setting('pgtrail.changes_table', true), ''), 'changes'));
BEGIN
    FOR cmd IN
        SELECT d.objid::regclass AS rel
        FROM pg_event_trigger_ddl_commands() d
        JOIN pg_class c ON c.oid = d.objid
        WHERE d.classid = 'pg_class'::regclass AND d.object_type = 'table'
          AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND c.relreplident <> 'f'
          AND d.objid IS DISTINCT FROM changes_rel
    LOOP
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', cmd.rel);
    END LOOP;
END
$$;
COMMENT ON FUNCTION pgtrail.replica_identity_full_on_create() IS
    'Event trigger: sets REPLICA IDENTITY FULL on tables as they are created';

DROP EVENT TRIGGER IF EXISTS pgtrail_replica_identity_on_create_table;
CREATE EVENT TRIGGER pgtrail_replica_identity_on_create_table ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
    EXECUTE FUNCTION pgtrail.replica_identity_full_on_create();
