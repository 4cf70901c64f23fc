-- Schema, table and column names that need quoting in SQL are plain JSON strings:
-- quotes escaped, unicode as is, case kept.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE SCHEMA "Weird ""Name""";
CREATE TABLE "Weird ""Name"""."Weird ""Name""" ("Col ""Q""" int PRIMARY KEY, "ünïcødé" text, "with-dash" int,
  "UPPER" int, "has space" int, "a.b" int, "back\slash" int, "😀" text);
CREATE TABLE "Ta-ble €" ("Id" int, "Other" int, PRIMARY KEY ("Other", "Id"));
SELECT 'init' FROM pg_create_logical_replication_slot('identifiers', 'pgtrail');
INSERT INTO "Weird ""Name"""."Weird ""Name""" VALUES (1, 'ü', 2, 3, 4, 5, 6, '😀');
INSERT INTO "Ta-ble €" VALUES (1, 2);
UPDATE "Ta-ble €" SET "Id" = 10;
DELETE FROM "Weird ""Name"""."Weird ""Name""";

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('identifiers', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec ORDER BY n;

-- The contract: the first record's after is to_jsonb(row) (the row itself is gone now).
SELECT (SELECT data::jsonb->'after' FROM rec WHERE n = 2) = jsonb_build_object('Col "Q"', 1, 'ünïcødé', 'ü', 'with-dash', 2,
  'UPPER', 3, 'has space', 4, 'a.b', 5, 'back\slash', 6, '😀', '😀') AS equal;
SELECT (SELECT data::jsonb->'after' FROM rec WHERE data::jsonb->>'op' = 'U') = to_jsonb(t.*) AS equal FROM "Ta-ble €" t;

SELECT 'drop' FROM pg_drop_replication_slot('identifiers');
DROP TABLE "Weird ""Name"""."Weird ""Name""", "Ta-ble €";
DROP SCHEMA "Weird ""Name""";
