-- The publications option: only tables in these publications, only the actions each
-- publishes, as the publications stood when each change was made (FOR ALL TABLES, FOR
-- TABLE, FOR TABLES IN SCHEMA, publish = ...). A publication missing at a point of the WAL
-- publishes nothing there, with a WARNING (as PostgreSQL 18's pgoutput): decoding goes on.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE SCHEMA pubs;
CREATE TABLE pub_a (id int PRIMARY KEY);
CREATE TABLE pub_b (id int PRIMARY KEY);
CREATE TABLE pub_c (id int PRIMARY KEY);
CREATE TABLE pubs.s (id int PRIMARY KEY);
CREATE PUBLICATION p_all FOR ALL TABLES;
CREATE PUBLICATION p_a FOR TABLE pub_a;
CREATE PUBLICATION p_b_insert FOR TABLE pub_b WITH (publish = 'insert');
CREATE PUBLICATION p_schema FOR TABLES IN SCHEMA pubs;
SELECT 'init' FROM pg_create_logical_replication_slot('publications', 'pgtrail');
INSERT INTO pub_a VALUES (1); INSERT INTO pub_b VALUES (1); INSERT INTO pub_c VALUES (1); INSERT INTO pubs.s VALUES (1);
UPDATE pub_a SET id = 2; UPDATE pub_b SET id = 2; UPDATE pub_c SET id = 2;
DELETE FROM pub_b;
TRUNCATE pub_a, pub_b, pub_c;
-- The publication changes between changes: later changes follow the new definition.
ALTER PUBLICATION p_a ADD TABLE pub_c;
INSERT INTO pub_c VALUES (3);
ALTER PUBLICATION p_a SET (publish = 'delete');
INSERT INTO pub_a VALUES (4);
DELETE FROM pub_a;
ALTER PUBLICATION p_a DROP TABLE pub_a;
INSERT INTO pub_a VALUES (5);
DELETE FROM pub_a;

-- Only the change records; B/C pairs omitted.
CREATE FUNCTION pg_temp.changes(VARIADIC options text[]) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT pg_temp.stable(data) FROM pg_logical_slot_peek_changes('publications', NULL, NULL, VARIADIC options)
    WHERE data NOT LIKE '{"op":"_","xid"%'
$$;
SELECT pg_temp.changes('publications', 'p_all');
SELECT pg_temp.changes('publications', 'p_a');
SELECT pg_temp.changes('publications', 'p_b_insert');
SELECT pg_temp.changes('publications', 'p_schema');
SELECT pg_temp.changes('publications', 'p_b_insert, p_schema');
\set VERBOSITY terse
SELECT pg_temp.changes('publications', 'p_a,no_such_publication');
\set VERBOSITY default

SELECT 'drop' FROM pg_drop_replication_slot('publications');

-- A publication created after the slot: changes written before CREATE PUBLICATION are not
-- published (the publication does not exist yet under their historic snapshot), later ones are.
CREATE TABLE pub_late (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('publications_late', 'pgtrail');
INSERT INTO pub_late VALUES (1);
CREATE PUBLICATION p_late FOR TABLE pub_late;
INSERT INTO pub_late VALUES (2);
\set VERBOSITY terse
SELECT pg_temp.stable(data) FROM pg_logical_slot_get_changes('publications_late', NULL, NULL, 'publications', 'p_late');
\set VERBOSITY default
-- The slot moved past the gap and goes on.
INSERT INTO pub_late VALUES (3);
SELECT pg_temp.stable(data) FROM pg_logical_slot_get_changes('publications_late', NULL, NULL, 'publications', 'p_late');
SELECT 'drop' FROM pg_drop_replication_slot('publications_late');
DROP PUBLICATION p_late;
DROP TABLE pub_late;
DROP PUBLICATION p_all, p_a, p_b_insert, p_schema;
DROP TABLE pub_a, pub_b, pub_c, pubs.s;
DROP SCHEMA pubs;
