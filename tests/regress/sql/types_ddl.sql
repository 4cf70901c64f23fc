-- Types changing mid-stream (composite attributes added, renamed, dropped; enum values
-- added; a domain's base type seen through): each record renders the value as the type
-- stood when the row was written, equal to to_jsonb(row) at that point.
-- Records without what varies between runs: B/C keep only their op, changes lose their lsn.
CREATE FUNCTION pg_temp.stable(record text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(record,
    '^\{"op":"([BC])","xid":\d+,"lsn":"[0-9A-F]+/[0-9A-F]+","ts":"[^"]+"\}$', '{"op":"\1"}'),
    '^(\{"op":"[IUDTM]"),"lsn":"[0-9A-F]+/[0-9A-F]+"', '\1')
$$;

CREATE TYPE td_pair AS (a int, b text);
CREATE TYPE td_mood AS ENUM ('sad', 'ok');
CREATE DOMAIN td_pairs AS td_pair[];
CREATE TABLE td (id int PRIMARY KEY, c td_pair, ca td_pairs, m td_mood);
SELECT 'init' FROM pg_create_logical_replication_slot('types_ddl', 'pgtrail');
CREATE TEMP TABLE images (k serial, image jsonb);
INSERT INTO td VALUES (1, (1, 'x'), ARRAY[(2, 'y')::td_pair], 'ok');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM td t WHERE id = 1;
ALTER TYPE td_pair ADD ATTRIBUTE c bool CASCADE;
INSERT INTO td VALUES (2, (1, 'x', true), NULL, 'sad');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM td t WHERE id = 2;
ALTER TYPE td_pair RENAME ATTRIBUTE a TO aa CASCADE;
ALTER TYPE td_mood ADD VALUE 'happy';
INSERT INTO td VALUES (3, (1, 'x', false), ARRAY[(3, 'z', NULL)::td_pair], 'happy');
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM td t WHERE id = 3;
ALTER TYPE td_pair DROP ATTRIBUTE b CASCADE;
INSERT INTO td VALUES (4, (5, true), NULL, NULL);
INSERT INTO images (image) SELECT to_jsonb(t.*) FROM td t WHERE id = 4;

CREATE TEMP TABLE rec AS
  SELECT n, data FROM pg_logical_slot_get_changes('types_ddl', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT pg_temp.stable(data) FROM rec WHERE data NOT LIKE '{"op":"_","xid"%' ORDER BY n;

-- The contract: each I/U record's after is the row's image at that point.
SELECT count(*) AS records, count(*) FILTER (WHERE r.after = i.image) AS equal
  FROM (SELECT data::jsonb->'after' AS after, row_number() OVER (ORDER BY n) AS k FROM rec
    WHERE data::jsonb->>'op' IN ('I', 'U')) r JOIN images i USING (k);

SELECT 'drop' FROM pg_drop_replication_slot('types_ddl');
DROP TABLE td;
DROP DOMAIN td_pairs;
DROP TYPE td_pair, td_mood;
