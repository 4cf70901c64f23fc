-- The changes table: one row per changed row (Bemi-compatible columns first), at the current
-- schema version (9), for reading and for creating it by hand. pgtrail itself builds the table
-- with the migrations in sink/schema/migrations.cpp (quoted names, any --changes-table) and
-- records the version in pgtrail.schema_version; a table created from this file is taken as
-- version 1 and brought up to date by the (idempotent) migrations on the next setup or run.
-- Whatever else writes rows into it must set moved_from on each UPDATE that changes a key: the
-- time travel functions (sql/time_travel.sql) find a row's key changes by it (docs/FORMAT.md).

CREATE TABLE IF NOT EXISTS changes (
    id              uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    primary_key     text,                           -- key value: the single key column's text, or a JSON array for composite keys
    before          jsonb,                          -- old row as to_jsonb(); NULL for CREATE, key columns only without REPLICA IDENTITY FULL
    after           jsonb,                          -- new row as to_jsonb(); NULL for DELETE and TRUNCATE
    context         jsonb       NOT NULL DEFAULT '{}'::jsonb,  -- application context stitched from _bemi messages
    database        text        NOT NULL,
    schema          text        NOT NULL,
    "table"         text        NOT NULL,
    operation       text        NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE', 'TRUNCATE', 'SNAPSHOT')),
                                                    -- SNAPSHOT: a baseline row (the initial snapshot of an existing row, in "after")
    committed_at    timestamptz NOT NULL,           -- source commit time
    queued_at       timestamptz NOT NULL,           -- when the sink received the change
    created_at      timestamptz NOT NULL DEFAULT now(),  -- when the row was written here
    transaction_id  bigint      NOT NULL,           -- source xid
    position        bigint      NOT NULL,           -- the change's LSN as a number
    commit_lsn      bigint      NOT NULL,           -- LSN of the source commit record (its start, the B record's lsn); with ordinal, a change's identity
    ordinal         integer     NOT NULL,           -- the change's place in its transaction, from 0
    unchanged       text[],                         -- columns left out of "after": unchanged TOASTed values without REPLICA IDENTITY FULL
    lossy           text[],                         -- columns stored in a substitute form (docs/FORMAT.md); since version 2
    moved_from      text,                           -- UPDATE that changed the key: the old key, rendered like primary_key; else NULL; since version 9
    CONSTRAINT changes_commit_lsn_ordinal_key UNIQUE (commit_lsn, ordinal)
);

CREATE INDEX IF NOT EXISTS changes_table_primary_key_committed_at_idx
    ON changes (schema, "table", primary_key, committed_at);
CREATE INDEX IF NOT EXISTS changes_committed_at_idx ON changes (committed_at);
CREATE INDEX IF NOT EXISTS changes_context_idx ON changes USING gin (context jsonb_path_ops);
CREATE INDEX IF NOT EXISTS changes_transaction_id_idx ON changes (transaction_id);
-- Since version 8: a row's history reads its own changes, the table's TRUNCATEs and (since version
-- 9) the UPDATEs that moved it away from its key (moved_from), not every change of the table.
CREATE INDEX IF NOT EXISTS changes_truncate_idx
    ON changes (schema, "table", commit_lsn, ordinal) WHERE operation = 'TRUNCATE';
CREATE INDEX IF NOT EXISTS changes_moved_from_idx
    ON changes (schema, "table", moved_from) WHERE moved_from IS NOT NULL;
