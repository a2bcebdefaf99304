-- The schema every migration in migrations/ leaves behind, as SQLite keeps it
-- (sqlite_master's statements in the order they were made). Open creates a new
-- database from it in one step. Written by `go generate ./store/sqlite`; do not edit.
-- version 17
CREATE TABLE tickets (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,
    channel        TEXT    NOT NULL,
    sender_name    TEXT    NOT NULL DEFAULT '',
    sender_address TEXT    NOT NULL DEFAULT '',
    chat_id        INTEGER NOT NULL DEFAULT 0,
    subject        TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    category       TEXT    NOT NULL DEFAULT '',
    classifier     TEXT    NOT NULL DEFAULT '',
    confidence     REAL    NOT NULL DEFAULT 0,
    reason         TEXT    NOT NULL DEFAULT '',
    needs_review   INTEGER NOT NULL DEFAULT 0,
    officer_id     TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL,
    outcome        TEXT    NOT NULL DEFAULT '',
    received_at    TEXT    NOT NULL,
    due_at         TEXT,
    answered_at    TEXT,
    closed_at      TEXT,
    updated_at     TEXT    NOT NULL,
    linked_to      TEXT    NOT NULL DEFAULT '',
    mentions       TEXT    NOT NULL DEFAULT ''
, message_id TEXT NOT NULL DEFAULT '', acted INTEGER NOT NULL DEFAULT 0, urgent INTEGER NOT NULL DEFAULT 0, ext_days INTEGER NOT NULL DEFAULT 0, ext_reason TEXT NOT NULL DEFAULT '', ext_due_at TEXT, ext_at TEXT, ext_by TEXT NOT NULL DEFAULT '', not_held_at TEXT, not_held_holder TEXT NOT NULL DEFAULT '', not_held_by TEXT NOT NULL DEFAULT '', ground TEXT NOT NULL DEFAULT '', decided_at TEXT, decision_in_answer INTEGER NOT NULL DEFAULT 0, complaints TEXT, created_at TEXT) STRICT;
CREATE INDEX tickets_received ON tickets (received_at, id);
CREATE INDEX tickets_state ON tickets (state, received_at);
CREATE INDEX tickets_officer ON tickets (officer_id, state);
CREATE TABLE ticket_sequences (
    prefix TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
) STRICT;
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    kind        TEXT    NOT NULL,
    source_id   TEXT    NOT NULL DEFAULT '',
    message_id  TEXT    NOT NULL DEFAULT '',
    author      TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    attachments TEXT,   -- JSON array of inquiry.Attachment, content base64
    raw         BLOB,
    created_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX entries_ticket ON entries (ticket_id, id);
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    ticket_id   INTEGER REFERENCES tickets (id),
    recipient   TEXT    NOT NULL DEFAULT '',
    mail        TEXT,
    chat        TEXT,
    message_id  TEXT,
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT    NOT NULL,
    last_error  TEXT    NOT NULL DEFAULT '',
    claimed_by  TEXT,
    lease_until TEXT,
    created_at  TEXT    NOT NULL,
    finished_at TEXT,
    sent_ref    TEXT    NOT NULL DEFAULT ''
, digest TEXT, held INTEGER NOT NULL DEFAULT 0, job_key TEXT, mail_text TEXT) STRICT;
CREATE INDEX jobs_due ON jobs (next_at, id) WHERE state = 'pending';
CREATE INDEX jobs_message_id ON jobs (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX jobs_rate ON jobs (kind, recipient, created_at);
CREATE TABLE thread_refs (
    ref        TEXT    PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    kind       TEXT    NOT NULL DEFAULT '',
    officer_id TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX thread_refs_ticket ON thread_refs (ticket_id);
CREATE TABLE sources (
    source_id TEXT    PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets (id),
    taken_at  TEXT    NOT NULL
) STRICT;
CREATE TABLE set_aside (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    source_id   TEXT    NOT NULL DEFAULT '',
    from_addr   TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',
    received_at TEXT    NOT NULL,
    raw         BLOB
) STRICT;
CREATE INDEX set_aside_kind ON set_aside (kind, id);
CREATE TABLE checkpoints (
    key          TEXT    PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;
CREATE TABLE kv_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_chat ON tickets (chat_id, id) WHERE chat_id <> 0;
CREATE INDEX jobs_ticket_recipient ON jobs (ticket_id, recipient, kind, id);
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
CREATE TABLE web_sessions (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    officer_id  TEXT    NOT NULL,
    language    TEXT    NOT NULL DEFAULT '',
    client_ip   TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    last_seen   TEXT    NOT NULL,
    revoked_at  TEXT               -- NULL: live
) STRICT;
CREATE INDEX web_sessions_officer ON web_sessions (officer_id);
CREATE TABLE web_signin_links (
    token_hash  TEXT    PRIMARY KEY,
    officer_id  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_at     TEXT               -- NULL: not used yet
) STRICT;
CREATE TABLE web_signin_attempts (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL,  -- "addr:<address>" or "ip:<client ip>"
    at          TEXT    NOT NULL
) STRICT;
CREATE INDEX web_signin_attempts_key ON web_signin_attempts (key, at);
CREATE TABLE web_audit (
    id          INTEGER PRIMARY KEY,
    officer_id  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    ticket      TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    at          TEXT    NOT NULL
) STRICT;
CREATE TABLE tickets_fts_pending (id INTEGER PRIMARY KEY);
CREATE TABLE entries_fts_pending (id INTEGER PRIMARY KEY);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT OR IGNORE INTO tickets_fts_pending (id) VALUES (new.id);
END;
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
CREATE UNIQUE INDEX jobs_key ON jobs (job_key) WHERE job_key IS NOT NULL;
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_sender ON tickets (lower(sender_address), received_at, id);
CREATE INDEX jobs_failed ON jobs (state, finished_at) WHERE state = 'failed';
CREATE INDEX jobs_acks_sent ON jobs (finished_at) WHERE state = 'done' AND kind = 'ack';
CREATE INDEX jobs_signins_sent ON jobs (finished_at) WHERE state = 'done' AND kind = 'signin';
