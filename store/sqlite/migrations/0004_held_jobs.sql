-- held is 1 while a job waits because a rate cap (the hourly cap on
-- acknowledgements) held it back; a claim clears it.
ALTER TABLE jobs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

-- SentJobs: sends of one kind in the last hour.
CREATE INDEX jobs_sent ON jobs (kind, finished_at) WHERE state = 'done';
