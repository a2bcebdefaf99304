-- Full-text search over tickets' subjects and every message on them
-- (inquiry.TicketFilter.Text). Both indexes are external-content FTS5
-- tables: they keep only the index, the text stays in tickets and entries,
-- and triggers keep them in step with every write. unicode61 with
-- remove_diacritics 2 folds case and diacritics, so "pergjigje" finds
-- "përgjigje" and "cacak" finds "Čačak".

CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject,
    content = 'tickets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE entries_fts USING fts5 (
    subject, body,
    content = 'entries', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- What was there before this migration.
INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets
WHEN old.subject IS NOT new.subject BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;

CREATE TRIGGER entries_fts_update AFTER UPDATE OF subject, body ON entries
WHEN old.subject IS NOT new.subject OR old.body IS NOT new.body BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, subject, body) VALUES ('delete', old.id, old.subject, old.body);
    INSERT INTO entries_fts (rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;

CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, subject, body) VALUES ('delete', old.id, old.subject, old.body);
END;
