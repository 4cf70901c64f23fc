-- One round of DML interleaved with catalog churn; :round is the round number, :'label' an enum label.
-- Every row written is logged as to_jsonb() in churn_log (excluded from decoding) for the check.
BEGIN;
INSERT INTO churn (id, n, t, m, p) VALUES (:round, :round, 'r' || :round, 'ok', ROW(:round, 'x')::pair);
INSERT INTO churn_log (rel, j) SELECT 'churn', to_jsonb(c) FROM churn c WHERE id = :round;
UPDATE churn SET n = n + 1, t = t || '!' WHERE id = :round - 1;
INSERT INTO churn_log (rel, j) SELECT 'churn', to_jsonb(c) FROM churn c WHERE id = :round - 1;
COMMIT;
ALTER TABLE churn ADD COLUMN extra_:round int DEFAULT :round;
INSERT INTO churn (id, n) VALUES (100000 + :round, 0);
INSERT INTO churn_log (rel, j) SELECT 'churn', to_jsonb(c) FROM churn c WHERE id = 100000 + :round;
ALTER TABLE churn DROP COLUMN extra_:round;
ALTER TYPE mood ADD VALUE IF NOT EXISTS :'label';
UPDATE churn SET m = :'label' WHERE id = :round;
INSERT INTO churn_log (rel, j) SELECT 'churn', to_jsonb(c) FROM churn c WHERE id = :round;
ALTER PUBLICATION churn_pub SET TABLE churn, churn_side;
INSERT INTO churn_side VALUES (:round, now());
INSERT INTO churn_log (rel, j) SELECT 'churn_side', to_jsonb(s) FROM churn_side s WHERE id = :round;
ALTER PUBLICATION churn_pub SET TABLE churn;
INSERT INTO churn_side VALUES (-:round, now());  -- not published any more: must not appear
CREATE TABLE churn_tmp_:round (id int PRIMARY KEY, v text);
INSERT INTO churn_tmp_:round VALUES (1, 'gone soon');
DROP TABLE churn_tmp_:round;
DELETE FROM churn WHERE id = 100000 + :round;
