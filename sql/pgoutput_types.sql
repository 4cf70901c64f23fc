-- What the pgoutput decoder (sink/decode/type_catalog.cpp) needs to know of types to render
-- their text values as to_jsonb does: one JSON object per type, for the OIDs in the psql variable oids
-- (an oid[] literal). Also run by tests/unit/sink/decode/make_to_jsonb_golden.sh.
SELECT json_build_object(
    'oid', t.oid::int8,
    'name', format_type(t.oid, NULL),
    'typtype', t.typtype,
    'base', t.typbasetype::int8,
    -- A true array (get_element_type): point and friends have a typelem but are no arrays.
    'element', CASE WHEN t.typsubscript = 'array_subscript_handler'::regproc THEN t.typelem::int8 ELSE 0 END,
    'delim', (SELECT e.typdelim FROM pg_type e WHERE e.oid = t.typelem),
    'attributes', (SELECT json_agg(json_build_array(a.attname, a.atttypid::int8) ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
    -- to_jsonb renders a user-defined type with a cast to json (not jsonb) through that cast.
    'json_cast', (SELECT p.probin || ':' || p.prosrc FROM pg_cast c JOIN pg_proc p ON p.oid = c.castfunc
                  WHERE c.castsource = t.oid AND c.casttarget = 'json'::regtype AND c.castmethod = 'f'
                    AND t.oid >= 16384))::text
FROM pg_type t
WHERE t.oid = ANY (:'oids'::oid[]);
