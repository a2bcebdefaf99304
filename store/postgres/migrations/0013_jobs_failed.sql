-- The daily digest lists the sends that failed for good in its window
-- (Store.FailedJobs). Failed jobs are kept for ever, so without an index by
-- finish time the read went through every failed job there ever was. The
-- index is partial: a job enters it only when it fails, so intake and the
-- outbox's sends pay nothing for it. (store/sqlite migration 0015.)
CREATE INDEX IF NOT EXISTS jobs_failed ON jobs (state, finished_at, finished_at_ns) WHERE state = 'failed';
