-- The leader lease: of several `sportel run` on one database, the one whose
-- lease is live watches the mailbox, polls Telegram and runs the scheduler.
-- Expiry is judged by the database's clock alone, so the instances' clocks
-- never need to agree. One row per lease name ("sportel").
CREATE TABLE leader_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    renewed_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
