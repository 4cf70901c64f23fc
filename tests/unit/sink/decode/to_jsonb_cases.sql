-- Values whose to_jsonb() the pgoutput decoder's converter must reproduce from their text:
-- every type family of docs/FORMAT.md's table and of the torture test. Run by
-- make_to_jsonb_golden.sh in a fresh cluster; each row of golden() is one line of the golden file.
CREATE EXTENSION hstore;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (x int, "y y" text);
CREATE TYPE nest AS (p pair, ps pair[], d date, j jsonb, b bool, n numeric, h hstore);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN intarr AS int[];
CREATE DOMAIN stamp AS timestamptz;
CREATE DOMAIN pairdom AS pair;
CREATE TYPE dropped AS (a int, gone text, c text);
ALTER TYPE dropped DROP ATTRIBUTE gone;

-- golden(zone, type, literal): the value's output text, its type and to_jsonb() as JSON.
CREATE FUNCTION golden(zone text, typ text, lit text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE t text; j jsonb; o oid;
BEGIN
    PERFORM set_config('TimeZone', zone, true);
    EXECUTE format('SELECT format(''%%s'', %L::%s), to_jsonb(%L::%s), %L::regtype::oid', lit, typ, lit, typ, typ) INTO t, j, o;
    RETURN json_build_object('zone', zone, 'type', typ, 'oid', o::int8, 'text', t, 'expected', j)::text;
END $$;

CREATE TABLE cases (n serial, typ text, lit text);
INSERT INTO cases (typ, lit) VALUES
  ('int2', '-32768'), ('int4', '2147483647'), ('int8', '-9223372036854775808'),
  ('numeric', '123456789012345678901234567890.123456789'), ('numeric', '-0.000'), ('numeric', '1.50'),
  ('numeric', 'NaN'), ('numeric', 'Infinity'), ('numeric', '-Infinity'), ('numeric', '1e-20'),
  ('real', '-0'), ('real', '3.4028235e38'), ('real', '1.17549435e-38'), ('real', '0.1'), ('real', 'NaN'),
  ('float8', 'Infinity'), ('float8', '-Infinity'), ('float8', '1e308'), ('float8', '5e-324'), ('float8', '0.1'),
  ('float8', '-1.5e-7'), ('float8', '123456789.123'),
  ('bool', 'true'), ('bool', 'false'),
  ('text', E'quote" back\\ tab\t nl\n cr\r \u0001 emoji 😀 ✓'), ('text', ''), ('varchar(10)', 'vc'),
  ('char(3)', 'ab'), ('"char"', 'z'), ('name', 'name'), ('bytea', '\x00ff10'), ('bytea', ''),
  ('date', '2026-11-21'), ('date', 'infinity'), ('date', '-infinity'), ('date', '0044-03-15 BC'), ('date', '10000-01-01'),
  ('time', '23:59:59.999999'), ('timetz', '12:00+05:30'),
  ('timestamp', '2026-11-21 10:00:00'), ('timestamp', '2026-11-21 10:00:00.5'), ('timestamp', 'infinity'),
  ('timestamp', '-infinity'), ('timestamp', '0044-03-15 10:00:00.123456 BC'), ('timestamp', '1970-01-01'),
  ('timestamptz', '2026-11-21 10:00:00.25+00'), ('timestamptz', '2026-07-01 12:34:56+02'), ('timestamptz', 'infinity'),
  ('timestamptz', '-infinity'), ('timestamptz', 'epoch'), ('timestamptz', '1850-01-01 00:00:00+00'),
  ('timestamptz', '0044-03-15 10:00:00+00 BC'), ('timestamptz', '12026-01-01 00:00:00+00'),
  ('interval', '1 year 2 mons -3 days 04:05:06.7'), ('interval', '0'), ('interval', '-1 days -00:00:01'),
  ('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('inet', '::ffff:1.2.3.4/128'), ('cidr', '10.0.0.0/8'),
  ('macaddr', '08:00:2b:01:02:03'), ('macaddr8', '08:00:2b:01:02:03:04:05'), ('money', '$1,234.56'), ('money', '-0.01'),
  ('bit(4)', '1010'), ('varbit', '10101'), ('varbit', ''), ('tsvector', 'a fat:2 cat'), ('tsquery', 'fat & !rat'),
  ('json', '{"a": [1, 2.50, "x"], "b": null, "a": 1e3}'), ('json', E'[1,\n 2]'), ('json', '"s"'), ('json', 'null'),
  ('jsonb', '{"z": {"deep": [true, false]}, "a": 1e3}'), ('jsonb', '[]'), ('jsonb', '"\u00e9\n"'),
  ('xml', '<a x="1">t&amp;</a>'), ('int4range', '[1,10)'), ('int4range', 'empty'), ('tstzrange', '[2026-01-01,)'),
  ('int4multirange', '{[1,3),[5,7)}'), ('int4multirange', '{}'),
  ('int[]', '{1,NULL,3}'), ('int[]', '{}'), ('int[]', '[2:3]={1,2}'), ('int[]', '[0:1][1:2]={{1,2},{3,4}}'),
  ('int[][]', '{{1,2},{3,4}}'), ('int[][][]', '{{{1},{2}},{{3},{4}}}'),
  ('text[][]', '{{"a","b"},{NULL,"d\"q"}}'), ('text[]', '{"NULL",NULL,"", " sp ","a,b","{x}","back\\slash"}'),
  ('numeric[]', '{1.50,NaN,-Infinity}'), ('float8[]', '{Infinity,-0,1e-5}'), ('bool[]', '{t,f,NULL}'),
  ('date[]', '{2026-01-01,infinity,"0044-03-15 BC"}'), ('timestamp[]', '{"2026-01-01 10:00:00","0001-01-01 00:00:00 BC"}'),
  ('timestamptz[]', '{"2026-01-01 10:00:00+00",-infinity}'), ('json[]', E'{"{\\"a\\": 1}","[1, 2]",null}'),
  ('jsonb[]', E'{"{\\"b\\": [2]}"}'), ('bytea[]', '{"\\\\x00ff",NULL}'), ('uuid[]', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'),
  ('box[]', '{(1,1),(0,0);(3,3),(2,2)}'), ('point[]', '{"(1,2)","(3,4)"}'), ('int4range[]', '{"[1,2)",empty}'),
  ('interval[]', '{"1 day","-00:00:01"}'), ('mood[]', '{sad,happy}'), ('hstore[]', E'{"\\"a\\"=>\\"1\\""}'),
  ('point', '(1.5,-2)'), ('line', '{1,2,3}'), ('lseg', '[(0,0),(1,1)]'), ('box', '(1,1),(0,0)'),
  ('path', '[(0,0),(1,1),(2,0)]'), ('polygon', '((0,0),(1,1),(1,0))'), ('circle', '<(0,0),1.5>'),
  ('pg_lsn', '16/B374D848'), ('oid', '4294967295'), ('regclass', 'pg_class'), ('mood', 'happy'),
  ('pair', '(1,"y""")'), ('pair', '(,)'), ('pair', '(9,"\\")'), ('pair', '(1,"")'), ('pair', E'(2,"a,b (c) \\\\ \\"")'),
  ('posint', '7'), ('intarr', '{1,2}'), ('stamp', '2026-01-01 00:00:00+00'), ('pairdom', '(3,x)'), ('pairdom[]', '{"(4,y)"}'),
  ('pair[]', '{"(2,)",NULL,"(3,\"a \"\"q\"\" \\\\\\\\ b\")"}'), ('dropped', '(1,c)'),
  ('nest', '("(1,a)","{""(2,b)"",NULL}",2026-01-01,"{""k"": [1, {""x"": null}]}",t,1.50,"""a""=>""1"", ""b""=>NULL")'),
  ('nest', '(,,,,,,)'),
  ('hstore', '"a"=>"1", "b"=>NULL, "c d"=>"x\"y", "e"=>"back\\slash", "NULL"=>"NULL"'), ('hstore', ''),
  ('hstore', E'"nl"=>"a\nb", "é"=>""');

CREATE FUNCTION golden_lines() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT golden(z.zone, c.typ, c.lit)
    FROM cases c CROSS JOIN (VALUES (1, 'UTC'), (2, 'Asia/Kolkata'), (3, 'Europe/Amsterdam'), (4, 'America/St_Johns')) z(zn, zone)
    WHERE z.zn = 1 OR c.typ ~ '^(timestamptz|stamp)'
    ORDER BY c.n, z.zn
$$;
