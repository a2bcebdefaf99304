-- A notification that coalesces a ticket's follow-ups (a digest) keeps what
-- it covers as JSON (inquiry.Digest), so a later message can join it while
-- it is unsent.
ALTER TABLE jobs ADD COLUMN digest TEXT;

-- LatestJob and PendingJobs: a ticket's jobs for one recipient.
CREATE INDEX jobs_ticket_recipient ON jobs (ticket_id, recipient, kind, id);
