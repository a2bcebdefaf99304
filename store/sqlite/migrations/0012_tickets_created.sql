-- The daily digest reads the tickets filed in its window (created_at), not
-- every ticket ever filed; without an index that is still a scan of the
-- whole table, once a working day, growing for years.
CREATE INDEX tickets_created ON tickets (created_at);
