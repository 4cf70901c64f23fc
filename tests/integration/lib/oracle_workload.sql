-- A mixed workload for the replay oracle: about 10 changes per transaction over five
-- tables that cover what replay must get right. Run after oracle.sql.
--   w_events    append only; every 40th transaction a 200-row multi-insert
--   w_accounts  upserts, updates, deletes, key changes (UPDATE id = id + 1000)
--   w_pairs     composite key (a, b), key changes on b, a TRUNCATE every 500th transaction
--               and at random (0.3 %)
--   w_full      no key, REPLICA IDENTITY FULL: replayed as a multiset
--   w_docs      a TOASTed column left unchanged by most updates ("unchanged" in changes)
-- Each transaction emits a _bemi context message first.
CREATE TABLE w_events (id bigserial PRIMARY KEY, payload text, n int);
CREATE TABLE w_accounts (id int PRIMARY KEY, balance numeric, note text, tags text[], seen timestamptz);
CREATE TABLE w_pairs (a int, b text, v jsonb, PRIMARY KEY (a, b));
CREATE TABLE w_full (id int, v text, f float8);
ALTER TABLE w_full REPLICA IDENTITY FULL;
CREATE TABLE w_docs (id int PRIMARY KEY, big text, small int);
ALTER TABLE w_docs ALTER COLUMN big SET STORAGE EXTERNAL;

SELECT oracle.track(t) FROM unnest('{w_events,w_accounts,w_pairs,w_full,w_docs}'::regclass[]) t;

CREATE PROCEDURE oracle.workload(txns int, seed float8) LANGUAGE plpgsql AS $$
DECLARE k int; r float8;
BEGIN
    PERFORM setseed(seed);
    FOR i IN 1..txns LOOP
        PERFORM pg_logical_emit_message(true, '_bemi', json_build_object('i', i, 'seed', seed)::text);
        INSERT INTO w_events (payload, n) VALUES (md5(i::text || seed), i);
        k := 1 + floor(random() * 300)::int;
        CASE floor(random() * 4)::int
            WHEN 0 THEN INSERT INTO w_accounts VALUES (k, round((random() * 1000)::numeric, 2), 'n' || i, ARRAY['a' || i], now())
                        ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, note = excluded.note;
            WHEN 1 THEN UPDATE w_accounts SET balance = balance + 1, tags = tags || i::text WHERE id = k;
            WHEN 2 THEN DELETE FROM w_accounts WHERE id = k;
            ELSE UPDATE w_accounts SET id = id + 1000 WHERE id = k AND NOT EXISTS (SELECT FROM w_accounts WHERE id = k + 1000);
        END CASE;
        k := floor(random() * 50)::int;
        r := random();
        IF r < 0.5 THEN
            INSERT INTO w_pairs VALUES (k, 'b' || (i % 7), jsonb_build_object('i', i, 'nested', jsonb_build_array(k, r)))
                ON CONFLICT (a, b) DO UPDATE SET v = excluded.v;
        ELSIF r < 0.7 THEN
            UPDATE w_pairs p SET b = b || 'x' WHERE a = k AND length(b) < 6
                AND NOT EXISTS (SELECT FROM w_pairs q WHERE q.a = p.a AND q.b = p.b || 'x');
        ELSE
            DELETE FROM w_pairs WHERE a = k;
        END IF;
        r := random();
        IF r < 0.5 THEN INSERT INTO w_full VALUES (k, 'v' || i, r);
        ELSIF r < 0.8 THEN UPDATE w_full SET v = v || '+', f = f + 1 WHERE id = k;
        ELSE DELETE FROM w_full WHERE id = k;
        END IF;
        k := floor(random() * 40)::int;
        IF random() < 0.1 THEN
            INSERT INTO w_docs SELECT k, string_agg(md5(k::text || g || i), ''), i FROM generate_series(1, 100) g
                ON CONFLICT (id) DO UPDATE SET big = excluded.big, small = excluded.small;
        ELSE
            UPDATE w_docs SET small = small + 1 WHERE id = k;
        END IF;
        IF i % 40 = 0 THEN
            INSERT INTO w_events (payload, n) SELECT md5(g::text), g FROM generate_series(1, 200) g;
        END IF;
        -- (also at random: the chaos tests run chunks shorter than 250 transactions)
        IF i % 500 = 250 OR random() < 0.003 THEN TRUNCATE w_pairs; END IF;
        COMMIT;
    END LOOP;
END $$;
