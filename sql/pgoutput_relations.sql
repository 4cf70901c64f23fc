-- What the pgoutput decoder (sink/decode/pgoutput_decoder.cpp) needs to know of a relation
-- beyond pgoutput's Relation message, as the pgtrail plugin reports it: a partition under its
-- topmost root (when the publication does not publish through the root already), and that
-- table's primary key and replica identity index columns in key order. One JSON object per
-- relation in the psql variable oids (an oid[] literal).
SELECT json_build_object(
    'oid', c.oid::int8,
    'schema', r.nspname,
    'name', r.relname,
    'replident', r.relreplident,
    'pk', (SELECT json_agg(a.attname ORDER BY k.n)
           FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
           JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum
           WHERE i.indrelid = r.oid AND i.indisprimary AND k.n <= i.indnkeyatts),
    'identity', (SELECT json_agg(a.attname ORDER BY k.n)
                 FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum
                 WHERE i.indrelid = r.oid AND i.indisreplident AND k.n <= i.indnkeyatts))::text
FROM pg_class c
CROSS JOIN LATERAL (SELECT t.oid, t.relname, t.relreplident, n.nspname
                    FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
                    WHERE t.oid = CASE WHEN c.relispartition THEN pg_partition_root(c.oid) ELSE c.oid END) r
WHERE c.oid = ANY (:'oids'::oid[]);
