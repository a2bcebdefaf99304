-- The officers' web workspace: sessions, one-time sign-in links, sign-in
-- attempts for the rate limits, and the audit log. Tokens are kept only as
-- their SHA-256 (hex).

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
