-- Every bad option fails the slot start with an error naming the option and what it
-- accepts; the slot itself is unharmed.
SELECT 'init' FROM pg_create_logical_replication_slot('bad_options', 'pgtrail');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'no-such-option', '1');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'skip-empty-xacts', 'maybe');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'partition-root', '');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'include-tables', 'a.b.c');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'include-tables', 'app.');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'exclude-tables', 'a,,b');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'exclude-tables', '"unterminated');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'include-tables', '');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'publications', 'p*');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'exclude-origins', 'a,');
SELECT data FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'messages', ',');
-- Booleans: the usual spellings, in any case. (An option without a value, possible
-- through the walsender only, is tested in walsender.sh.)
SELECT count(*) FROM pg_logical_slot_get_changes('bad_options', NULL, NULL, 'skip-empty-xacts', 'Yes', 'partition-root', '0');
SELECT 'drop' FROM pg_drop_replication_slot('bad_options');
