-- What the differential test writes beyond the oracle workload and the torture tables:
-- partitions (reported under their root), TRUNCATE with CASCADE and RESTART IDENTITY,
-- hstore, unchanged TOASTed values with and without REPLICA IDENTITY FULL, a key in
-- non-column order, arrays and composites of user types, transactions replayed under
-- replication origins (pgtrail* skipped, others tracked), and context messages.
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TYPE x_kind AS ENUM ('a', 'b');
CREATE TYPE x_item AS (kind x_kind, tags text[], at timestamptz, attrs hstore);
CREATE DOMAIN x_items AS x_item[];

CREATE TABLE x_parted (k text, id int, v int, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE x_parted_a PARTITION OF x_parted FOR VALUES IN ('a');
CREATE TABLE x_parted_b (v int, id int NOT NULL, k text NOT NULL);  -- another column order
ALTER TABLE x_parted ATTACH PARTITION x_parted_b FOR VALUES IN ('b');
CREATE TABLE x_fk_parent (id int PRIMARY KEY);
CREATE TABLE x_fk_child (id serial PRIMARY KEY, parent int REFERENCES x_fk_parent);
CREATE TABLE x_toast (id int PRIMARY KEY, big text, n int, h hstore, items x_items);
ALTER TABLE x_toast ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE x_toast_full (id int PRIMARY KEY, big text, n int);
ALTER TABLE x_toast_full ALTER COLUMN big SET STORAGE EXTERNAL, REPLICA IDENTITY FULL;

BEGIN;
SELECT pg_logical_emit_message(true, '_bemi', '{"who": "extra", "n": 1}');
INSERT INTO x_parted VALUES ('a', 1, 10), ('b', 2, 20), ('a', 3, 30);
UPDATE x_parted SET v = v + 1 WHERE id = 1;
UPDATE x_parted SET k = 'b' WHERE id = 3;  -- moves the row to the other partition
DELETE FROM x_parted WHERE id = 2;
COMMIT;
INSERT INTO x_fk_parent VALUES (1), (2);
INSERT INTO x_fk_child (parent) VALUES (1), (2);
TRUNCATE x_fk_parent RESTART IDENTITY CASCADE;
TRUNCATE x_parted;
INSERT INTO x_parted VALUES ('b', 5, 50);

INSERT INTO x_toast SELECT 1, string_agg(md5(g::text), ''), 0, 'a=>1, "b c"=>NULL, "q\"x"=>"\\"'::hstore,
    ARRAY[ROW('a', '{x,NULL}', '2026-01-01 00:00:00+00', 'k=>v')::x_item, NULL]
    FROM generate_series(1, 20000) g;
UPDATE x_toast SET n = 1;                       -- big stays unchanged: listed in "unchanged"
UPDATE x_toast SET n = 2, h = h || 'd=>4'::hstore;
INSERT INTO x_toast_full SELECT 1, string_agg(md5(g::text), ''), 0 FROM generate_series(1, 20000) g;
UPDATE x_toast_full SET n = 1;                  -- big filled from the old row
DELETE FROM x_toast_full;

-- Replayed under origins: pgtrail* is skipped by default, another origin is tracked.
SELECT pg_replication_origin_create('pgtrail_elsewhere'), pg_replication_origin_create('subscriber_x');
SELECT pg_replication_origin_session_setup('pgtrail_elsewhere');
INSERT INTO x_fk_parent VALUES (100);
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_session_setup('subscriber_x');
INSERT INTO x_fk_parent VALUES (200);
SELECT pg_replication_origin_session_reset();
