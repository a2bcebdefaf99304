-- Sportel schema for PostgreSQL, version 2: store/sqlite's migrations
-- 0004-0006 folded together (held jobs, job keys, the lifecycle of a
-- document request). Times keep the *_ns pairing of version 1.

-- held is true while a job waits because a rate cap (the hourly cap on
-- acknowledgements) held it back; a claim clears it.
ALTER TABLE jobs ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;

-- SentJobs: sends of one kind in the last hour.
CREATE INDEX jobs_sent ON jobs (kind, finished_at, finished_at_ns) WHERE state = 'done';

-- A scheduled send (reminder, escalation, daily digest) carries a key naming
-- what it is for; the unique index makes the store, not a process's memory,
-- refuse a second one, also across instances. Other jobs have none (NULLs
-- never clash).
ALTER TABLE jobs ADD COLUMN job_key TEXT;

CREATE UNIQUE INDEX jobs_key ON jobs (job_key);

-- The lifecycle of a document request: urgency, the one extension, a
-- document not held, the decision (outcome ground, when it reached the
-- requester) and complaints to the Information and Privacy Agency. Reopens
-- and every change are notes in entries.
ALTER TABLE tickets
    ADD COLUMN urgent             BOOLEAN     NOT NULL DEFAULT false,
    ADD COLUMN ext_days           INTEGER     NOT NULL DEFAULT 0, -- 0: not extended
    ADD COLUMN ext_reason         TEXT        NOT NULL DEFAULT '',
    ADD COLUMN ext_due_at         TIMESTAMPTZ,
    ADD COLUMN ext_due_at_ns      SMALLINT    NOT NULL DEFAULT 0,
    ADD COLUMN ext_at             TIMESTAMPTZ,
    ADD COLUMN ext_at_ns          SMALLINT    NOT NULL DEFAULT 0,
    ADD COLUMN ext_by             TEXT        NOT NULL DEFAULT '',
    ADD COLUMN not_held_at        TIMESTAMPTZ, -- NULL: not marked
    ADD COLUMN not_held_at_ns     SMALLINT    NOT NULL DEFAULT 0,
    ADD COLUMN not_held_holder    TEXT        NOT NULL DEFAULT '',
    ADD COLUMN not_held_by        TEXT        NOT NULL DEFAULT '',
    ADD COLUMN ground             TEXT        NOT NULL DEFAULT '',
    ADD COLUMN decided_at         TIMESTAMPTZ,
    ADD COLUMN decided_at_ns      SMALLINT    NOT NULL DEFAULT 0,
    ADD COLUMN decision_in_answer BOOLEAN     NOT NULL DEFAULT false,
    -- inquiry.Complaint array; NULL when there is none.
    ADD COLUMN complaints         JSON;
