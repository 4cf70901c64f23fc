-- TOAST variant's table: a 20 kB text value per row, stored out of line uncompressed
-- (STORAGE EXTERNAL) so every value really is TOASTed; REPLICA IDENTITY FULL.
CREATE TABLE bench_toast (
    id bigint PRIMARY KEY,
    qty int,
    note text,
    body text
);
ALTER TABLE bench_toast ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE bench_toast REPLICA IDENTITY FULL;
