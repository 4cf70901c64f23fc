-- include-tables / exclude-tables: comma lists of schema.table globs (* matches any run of
-- characters; a pattern without a schema matches any schema). Unquoted names fold to
-- lower case; quoted names are literal, including dots, commas and stars.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TABLE app.orders (id int);
CREATE TABLE app.order_items (id int);
CREATE TABLE app.users (id int);
CREATE TABLE audit.users (id int);
CREATE TABLE public."Weird.Name" (id int);
CREATE TABLE public."Star*Table" (id int);
CREATE TABLE public."StarXTable" (id int);
CREATE TABLE public."a,b" (id int);
SELECT 'init' FROM pg_create_logical_replication_slot('table_filters', 'pgtrail');
INSERT INTO app.orders VALUES (1);
INSERT INTO app.order_items VALUES (1);
INSERT INTO app.users VALUES (1);
INSERT INTO audit.users VALUES (1);
INSERT INTO public."Weird.Name" VALUES (1);
INSERT INTO public."Star*Table" VALUES (1);
INSERT INTO public."StarXTable" VALUES (1);
INSERT INTO public."a,b" VALUES (1);

-- The tables whose changes pass, for a set of options.
CREATE FUNCTION pg_temp.tables(VARIADIC options text[] DEFAULT '{}') RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(format('%s.%s', data::jsonb->>'schema', data::jsonb->>'table'), '  ' ORDER BY lsn), '(none)')
    FROM pg_logical_slot_peek_changes('table_filters', NULL, NULL, VARIADIC options) WHERE data LIKE '{"op":"I"%'
$$;
SELECT pg_temp.tables();
SELECT pg_temp.tables('include-tables', 'app.*');
SELECT pg_temp.tables('include-tables', 'app.*', 'exclude-tables', 'app.order_*');
SELECT pg_temp.tables('include-tables', 'users');
SELECT pg_temp.tables('include-tables', '*.users', 'exclude-tables', 'audit.*');
SELECT pg_temp.tables('include-tables', 'APP.ORDERS');
SELECT pg_temp.tables('include-tables', '"APP".orders');
SELECT pg_temp.tables('include-tables', '"Weird.Name"');
SELECT pg_temp.tables('include-tables', 'public."Star*Table"');
SELECT pg_temp.tables('include-tables', 'public."Star"*');
SELECT pg_temp.tables('include-tables', '"a,b", app.users');
SELECT pg_temp.tables('exclude-tables', 'app.*, audit.*, public.*');
SELECT pg_temp.tables('exclude-tables', '*');
SELECT pg_temp.tables('include-tables', ' app . orders ');

SELECT 'drop' FROM pg_drop_replication_slot('table_filters');
DROP SCHEMA app, audit CASCADE;
DROP TABLE public."Weird.Name", public."Star*Table", public."StarXTable", public."a,b";
