-- The search triggers of 0007 wrote each new ticket and entry into its FTS5
-- index at once. A statement with a trigger opens a statement journal, and
-- FTS5 writes its pending terms out as a new segment at every such
-- savepoint: one segment per insert, merged again and again, about a
-- quarter of intake's SQLite time. Now the triggers only note the row;
-- the store indexes the noted rows with one statement per index just
-- before the transaction commits (Tx.flushSearch), so a transaction writes
-- one segment. Search never sees the difference: what is committed is
-- indexed, in the same transaction.

CREATE TABLE tickets_fts_pending (id INTEGER PRIMARY KEY);
CREATE TABLE entries_fts_pending (id INTEGER PRIMARY KEY);

DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_update;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER entries_fts_insert;
DROP TRIGGER entries_fts_update;
DROP TRIGGER entries_fts_delete;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT OR IGNORE INTO tickets_fts_pending (id) VALUES (new.id);
END;

-- A row still pending is not in the index yet: the flush reads its current
-- text, so there is nothing to delete.
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets
WHEN old.subject IS NOT new.subject BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) SELECT 'delete', old.id, old.subject
        WHERE NOT EXISTS (SELECT 1 FROM tickets_fts_pending WHERE id = old.id);
    INSERT OR IGNORE INTO tickets_fts_pending (id) VALUES (new.id);
END;

CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) SELECT 'delete', old.id, old.subject
        WHERE NOT EXISTS (SELECT 1 FROM tickets_fts_pending WHERE id = old.id);
    DELETE FROM tickets_fts_pending WHERE id = old.id;
END;

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT OR IGNORE INTO entries_fts_pending (id) VALUES (new.id);
END;

CREATE TRIGGER entries_fts_update AFTER UPDATE OF subject, body ON entries
WHEN old.subject IS NOT new.subject OR old.body IS NOT new.body BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, subject, body) SELECT 'delete', old.id, old.subject, old.body
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id);
    INSERT OR IGNORE INTO entries_fts_pending (id) VALUES (new.id);
END;

CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, subject, body) SELECT 'delete', old.id, old.subject, old.body
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id);
    DELETE FROM entries_fts_pending WHERE id = old.id;
END;
