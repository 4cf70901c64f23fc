-- A deferrable primary key is the pk when there is no replica identity index (docs/FORMAT.md),
-- on every major, although rd_pkindex leaves it out (relinfo.cpp: primary_key_index). A replica
-- identity index comes first.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TABLE dk (id int PRIMARY KEY DEFERRABLE, v text);
CREATE TABLE dk_ri (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, code text NOT NULL UNIQUE, v text);
ALTER TABLE dk_ri REPLICA IDENTITY USING INDEX dk_ri_code_key;
SELECT 'init' FROM pg_create_logical_replication_slot('keys_deferrable', 'pgtrail');
INSERT INTO dk VALUES (1, 'a');
UPDATE dk SET v = 'b' WHERE id = 1;
INSERT INTO dk_ri VALUES (1, 'x', 'a');
DELETE FROM dk_ri WHERE id = 1;
SELECT pg_temp.stable(data) FROM pg_logical_slot_get_changes('keys_deferrable', NULL, NULL);

SELECT 'drop' FROM pg_drop_replication_slot('keys_deferrable');
DROP TABLE dk, dk_ri;
