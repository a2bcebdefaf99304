-- Sportel schema for PostgreSQL, version 1: store/sqlite's migrations
-- 0001-0003 folded together.
--
-- Times are timestamptz, which keeps microseconds; the contract keeps
-- nanoseconds (a job due a nanosecond later is not due yet), so every time
-- that is read back or compared has a *_ns column beside it with the
-- nanoseconds beyond the microsecond (0-999). Order and compare by the pair:
-- (next_at, next_at_ns) <= ($1, $2). A NULL time has _ns 0.
--
-- Free text is text (PostgreSQL's text holds no NUL: the driver stores
-- U+FFFD instead); payloads are json (kept verbatim, unlike jsonb, which
-- refuses \u0000); raw mail is bytea.

CREATE TABLE tickets (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number            TEXT             NOT NULL UNIQUE,
    channel           TEXT             NOT NULL,
    sender_name       TEXT             NOT NULL DEFAULT '',
    sender_address    TEXT             NOT NULL DEFAULT '',
    chat_id           BIGINT           NOT NULL DEFAULT 0,
    subject           TEXT             NOT NULL DEFAULT '',
    message_id        TEXT             NOT NULL DEFAULT '',
    language          TEXT             NOT NULL DEFAULT '',
    category          TEXT             NOT NULL DEFAULT '',
    classifier        TEXT             NOT NULL DEFAULT '',
    confidence        DOUBLE PRECISION NOT NULL DEFAULT 0,
    reason            TEXT             NOT NULL DEFAULT '',
    needs_review      BOOLEAN          NOT NULL DEFAULT false,
    officer_id        TEXT             NOT NULL DEFAULT '',
    acted             BOOLEAN          NOT NULL DEFAULT false,
    state             TEXT             NOT NULL,
    outcome           TEXT             NOT NULL DEFAULT '',
    received_at       TIMESTAMPTZ      NOT NULL,
    received_at_ns    SMALLINT         NOT NULL DEFAULT 0,
    due_at            TIMESTAMPTZ,
    due_at_ns         SMALLINT         NOT NULL DEFAULT 0,
    answered_at       TIMESTAMPTZ,
    answered_at_ns    SMALLINT         NOT NULL DEFAULT 0,
    closed_at         TIMESTAMPTZ,
    closed_at_ns      SMALLINT         NOT NULL DEFAULT 0,
    updated_at        TIMESTAMPTZ      NOT NULL,
    updated_at_ns     SMALLINT         NOT NULL DEFAULT 0,
    linked_to         TEXT             NOT NULL DEFAULT '',
    mentions          TEXT             NOT NULL DEFAULT ''
);

CREATE INDEX tickets_received ON tickets (received_at, received_at_ns, id);
CREATE INDEX tickets_state ON tickets (state, received_at);
CREATE INDEX tickets_officer ON tickets (officer_id, state);
CREATE INDEX tickets_sender ON tickets (lower(sender_address));
CREATE INDEX tickets_chat ON tickets (chat_id, id) WHERE chat_id <> 0;

-- One counter per (prefix, year) for ticket numbers. Not a SEQUENCE: a
-- sequence leaves a gap for every rolled-back transaction, and ticket
-- numbers have none. The upsert locks the row until commit.
CREATE TABLE ticket_sequences (
    prefix TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE entries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     BIGINT      NOT NULL REFERENCES tickets (id),
    kind          TEXT        NOT NULL,
    source_id     TEXT        NOT NULL DEFAULT '',
    message_id    TEXT        NOT NULL DEFAULT '',
    author        TEXT        NOT NULL DEFAULT '',
    subject       TEXT        NOT NULL DEFAULT '',
    body          TEXT        NOT NULL DEFAULT '',
    attachments   JSON,       -- inquiry.Attachment array, content base64
    raw           BYTEA,
    created_at    TIMESTAMPTZ NOT NULL,
    created_at_ns SMALLINT    NOT NULL DEFAULT 0
);

CREATE INDEX entries_ticket ON entries (ticket_id, id);

-- The outbox. mail, chat and digest hold inquiry.Mail, inquiry.ChatMessage
-- and inquiry.Digest; message_id repeats the mail's Message-ID so it can be
-- looked up.
CREATE TABLE jobs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT        NOT NULL,
    ticket_id      BIGINT      REFERENCES tickets (id),
    recipient      TEXT        NOT NULL DEFAULT '',
    mail           JSON,
    chat           JSON,
    digest         JSON,
    message_id     TEXT,
    state          TEXT        NOT NULL,
    attempts       INTEGER     NOT NULL DEFAULT 0,
    next_at        TIMESTAMPTZ NOT NULL,
    next_at_ns     SMALLINT    NOT NULL DEFAULT 0,
    last_error     TEXT        NOT NULL DEFAULT '',
    claimed_by     TEXT,
    lease_until    TIMESTAMPTZ,
    lease_until_ns SMALLINT    NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    created_at_ns  SMALLINT    NOT NULL DEFAULT 0,
    finished_at    TIMESTAMPTZ,
    finished_at_ns SMALLINT    NOT NULL DEFAULT 0,
    sent_ref       TEXT        NOT NULL DEFAULT ''
);

CREATE INDEX jobs_due ON jobs (next_at, next_at_ns, id) WHERE state = 'pending';
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_ticket ON jobs (ticket_id, id);
CREATE INDEX jobs_message_id ON jobs (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX jobs_rate ON jobs (kind, recipient, created_at);
CREATE INDEX jobs_ticket_recipient ON jobs (ticket_id, recipient, kind, id);

-- Identifiers seen or sent (Message-IDs, "tg:<chat>:<message>") -> ticket.
CREATE TABLE thread_refs (
    ref        TEXT   PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    kind       TEXT   NOT NULL DEFAULT '',
    officer_id TEXT   NOT NULL DEFAULT ''
);

CREATE INDEX thread_refs_ticket ON thread_refs (ticket_id);

-- Source messages already taken in; the primary key is what makes intake
-- idempotent. ticket_id is NULL when the message made no ticket.
CREATE TABLE sources (
    source_id TEXT        PRIMARY KEY,
    ticket_id BIGINT      REFERENCES tickets (id),
    taken_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE set_aside (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT        NOT NULL,
    source_id      TEXT        NOT NULL DEFAULT '',
    from_addr      TEXT        NOT NULL DEFAULT '',
    subject        TEXT        NOT NULL DEFAULT '',
    reason         TEXT        NOT NULL DEFAULT '',
    received_at    TIMESTAMPTZ NOT NULL,
    received_at_ns SMALLINT    NOT NULL DEFAULT 0,
    raw            BYTEA
);

CREATE INDEX set_aside_kind ON set_aside (kind, id);

-- IMAP intake position per account/mailbox key (uint32 values: BIGINT).
CREATE TABLE checkpoints (
    key          TEXT        PRIMARY KEY,
    uid_validity BIGINT      NOT NULL,
    last_uid     BIGINT      NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Small key-value settings: Telegram offset, per-chat choices.
CREATE TABLE kv_state (
    key        TEXT        PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
