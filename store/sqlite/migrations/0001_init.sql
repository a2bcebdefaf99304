-- Sportel schema, version 1.
-- Timestamps are TEXT in RFC 3339 UTC with exactly nine fractional digits
-- ("2026-03-01T09:30:00.000000000Z"), so text order is time order; NULL means
-- "not set". Ids are SQLite rowids (64-bit); the PostgreSQL migration uses
-- BIGINT GENERATED ALWAYS AS IDENTITY for the same columns.

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
) STRICT;

CREATE INDEX tickets_received ON tickets (received_at, id);
CREATE INDEX tickets_state ON tickets (state, received_at);
CREATE INDEX tickets_officer ON tickets (officer_id, state);
CREATE INDEX tickets_sender ON tickets (lower(sender_address));
CREATE INDEX tickets_chat ON tickets (chat_id) WHERE chat_id <> 0;

-- One counter per (prefix, year) for ticket numbers.
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

-- The outbox. mail and chat hold inquiry.Mail / inquiry.ChatMessage as JSON;
-- message_id repeats the mail's Message-ID so it can be looked up.
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
) STRICT;

CREATE INDEX jobs_due ON jobs (next_at, id) WHERE state = 'pending';
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_ticket ON jobs (ticket_id, id);
CREATE INDEX jobs_message_id ON jobs (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX jobs_rate ON jobs (kind, recipient, created_at);

-- Identifiers seen or sent (Message-IDs, "tg:<chat>:<message>") -> ticket.
CREATE TABLE thread_refs (
    ref        TEXT    PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    kind       TEXT    NOT NULL DEFAULT '',
    officer_id TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX thread_refs_ticket ON thread_refs (ticket_id);

-- Source messages already taken in; the primary key is what makes intake
-- idempotent. ticket_id is NULL when the message made no ticket.
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

-- IMAP intake position per account/mailbox key.
CREATE TABLE checkpoints (
    key          TEXT    PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;

-- Small key-value settings: Telegram offset, per-chat choices.
CREATE TABLE kv_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
