-- The officers' web workspace (store/sqlite's 0008): sessions, one-time
-- sign-in links, sign-in attempts for the rate limits, and the audit log.
-- Tokens are kept only as their SHA-256 (hex). These times need no
-- nanoseconds: microseconds are all the workspace compares.

CREATE TABLE web_sessions (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  TEXT        NOT NULL UNIQUE,
    officer_id  TEXT        NOT NULL,
    language    TEXT        NOT NULL DEFAULT '',
    client_ip   TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ            -- NULL: live
);

CREATE INDEX web_sessions_officer ON web_sessions (officer_id);

CREATE TABLE web_signin_links (
    token_hash  TEXT        PRIMARY KEY,
    officer_id  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ            -- NULL: not used yet
);

CREATE TABLE web_signin_attempts (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         TEXT        NOT NULL,  -- "addr:<address>" or "ip:<client ip>"
    at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX web_signin_attempts_key ON web_signin_attempts (key, at);

CREATE TABLE web_audit (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    officer_id  TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    ticket      TEXT        NOT NULL DEFAULT '',
    detail      TEXT        NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL
);
