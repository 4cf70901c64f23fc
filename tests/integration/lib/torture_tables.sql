-- The torture tables (bash: psql -f, after tests/integration/lib/oracle.sql): every type family
-- with NULLs everywhere, a 1,600-column table, names needing quotes (quotes, spaces, unicode,
-- dots, dashes, reserved words) in a schema needing quotes, a replica-identity index instead
-- of a key, a table without key nor replica identity (counted only); each tracked by the oracle
-- and written, updated and deleted. Used by hostile/torture_test.sh and pgoutput/differential_test.sh.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (x int, "y y" text);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE types (
    id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, num numeric, num_nan numeric, f4 real, f8 float8,
    b bool, t text, vc varchar(10), ch char(3), "char" "char", nm name, by bytea, d date, tm time, tmz timetz,
    ts timestamp, tstz timestamptz, iv interval, u uuid, ip inet, net cidr, mac macaddr, mac8 macaddr8,
    money money, bits bit(4), vbits varbit, tsv tsvector, tsq tsquery, j json, jb jsonb, x xml,
    r4 int4range, rts tstzrange, mr int4multirange, ai int[], at2 text[][], pt point, ln line, ls lseg,
    bx box, pth path, pg polygon, ci circle, lsn pg_lsn, o oid, e mood, c pair, dom posint, ce pair[]);
SELECT oracle.track('types');
INSERT INTO types VALUES
  (1, -32768, 2147483647, -9223372036854775808, 123456789012345678901234567890.123456789, 'NaN', '-0', 'Infinity',
   true, E'quote" back\\ tab\t nl\n cr\r nul-free \u0001 emoji 😀 ✓', 'vc', 'ab', 'z', 'name', '\x00ff10',
   '2026-11-21', '23:59:59.999999', '12:00+05:30', 'infinity', '-infinity', '1 year 2 mons -3 days 04:05:06.7',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '::ffff:1.2.3.4/128', '10.0.0.0/8', '08:00:2b:01:02:03',
   '08:00:2b:01:02:03:04:05', '$1,234.56', B'1010', B'10101', 'a fat:2 cat', 'fat & !rat',
   '{"a": [1, 2.50, "x"], "b": null}', '{"z": {"deep": [true, false]}, "a": 1e3}', '<a x="1">t&amp;</a>',
   '[1,10)', '[2026-01-01,)', '{[1,3),[5,7)}', '{1,NULL,3}', '{{"a","b"},{NULL,"d\"q"}}', '(1.5,-2)',
   '{1,2,3}', '[(0,0),(1,1)]', '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),1.5>',
   '16/B374D848', 4294967295, 'happy', ROW(1, 'y"'), 7, ARRAY[ROW(2, NULL)::pair, NULL]),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 0, 0, 0, '-0.000', 'Infinity', 'NaN', '-Infinity', false, '', '', '', '', '', '', '-infinity', '00:00',
   '00:00+00', '1970-01-01', 'epoch', '0', '00000000-0000-0000-0000-000000000000', '0.0.0.0', '::/0',
   '00:00:00:00:00:00', '00:00:00:00:00:00:00:00', 0, B'0000', B'', '', 'a', '[]', '{}', '', 'empty', 'empty',
   '{}', '{}', '{}', '(0,0)', '{1,-1,0}', '[(0,0),(0,0)]', '(0,0),(0,0)', '((0,0))', '((0,0))', '<(0,0),0>',
   '0/0', 0, 'sad', ROW(NULL, NULL), 1, '{}');
UPDATE types SET t = t || ' again', i4 = i4 - 1, c = ROW(9, E'\\') WHERE id = 1;
UPDATE types SET t = 'was null' WHERE id = 2;
UPDATE types SET id = 30 WHERE id = 3;
DELETE FROM types WHERE id = 30;

-- 1,600 columns (the maximum).
SELECT format('CREATE TABLE wide (id int PRIMARY KEY, %s)', string_agg(format('c%s int', g), ', ')) FROM generate_series(2, 1600) g \gexec
SELECT oracle.track('wide');
INSERT INTO wide (id) SELECT g FROM generate_series(1, 3) g;
UPDATE wide SET c2 = 2, c800 = 800, c1600 = 1600 WHERE id = 2;
DELETE FROM wide WHERE id = 3;

-- Names that need quoting everywhere.
CREATE SCHEMA "Sch ""Q"" é.x-y";
CREATE TABLE "Sch ""Q"" é.x-y"."select" ("a""b" int PRIMARY KEY, "with space" text, "ü.ñ-é" int, "select" text, " " text DEFAULT 'x');
CREATE TABLE "Sch ""Q"" é.x-y"."dotted.name-表 ""q""" ("K" text, "k" int, v text, PRIMARY KEY ("K", "k"));
SELECT oracle.track(format('%I.%I', 'Sch "Q" é.x-y', t)::regclass) FROM unnest(ARRAY['select', 'dotted.name-表 "q"']) t;
INSERT INTO "Sch ""Q"" é.x-y"."select" VALUES (1, 'one', 1, 'from'), (2, 'two', 2, 'where');
UPDATE "Sch ""Q"" é.x-y"."select" SET "a""b" = 3, "with space" = 'moved' WHERE "a""b" = 1;
INSERT INTO "Sch ""Q"" é.x-y"."dotted.name-表 ""q""" VALUES ('a"b', 1, 'x'), (E'tab\there', 2, 'y'), ('[1]', 3, 'z');
UPDATE "Sch ""Q"" é.x-y"."dotted.name-表 ""q""" SET "K" = '{"json":1}' WHERE "k" = 1;
DELETE FROM "Sch ""Q"" é.x-y"."dotted.name-表 ""q""" WHERE "k" = 2;

-- A replica-identity index instead of a key; no key and no replica identity at all.
CREATE TABLE ri (a int NOT NULL, b int NOT NULL, v text, UNIQUE (a, b));
ALTER TABLE ri REPLICA IDENTITY USING INDEX ri_a_b_key;
CREATE TABLE nokey (a int, b text);
SELECT oracle.track('ri'), oracle.track('nokey', replay => false);
INSERT INTO ri SELECT g, g * 2, 'v' FROM generate_series(1, 5) g;
UPDATE ri SET b = b + 100, v = 'moved' WHERE a = 2;
DELETE FROM ri WHERE a = 3;
INSERT INTO nokey SELECT g, 'n' FROM generate_series(1, 5) g;
UPDATE nokey SET b = 'u' WHERE a < 3;
DELETE FROM nokey WHERE a = 5;
