-- A scheduled send (reminder, escalation, daily digest) carries a key naming
-- what it is for; the unique index makes the store, not a process's memory,
-- refuse a second one. Other jobs have none (NULLs never clash).
ALTER TABLE jobs ADD COLUMN job_key TEXT;

CREATE UNIQUE INDEX jobs_key ON jobs (job_key);
