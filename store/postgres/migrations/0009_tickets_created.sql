-- The daily digest reads the tickets filed in its window (created_at, to
-- the nanosecond), not every ticket ever filed; without an index that is
-- still a scan of the whole table, once a working day, growing for years.
-- (store/sqlite migration 0012.)
CREATE INDEX tickets_created ON tickets (created_at, created_at_ns);
