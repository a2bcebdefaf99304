-- A cancelled job gives up its key ("<key>#cancelled:<id>") so the same
-- scheduled send (a reminder) can be queued again once the ticket fits it
-- again, after a reopen. Jobs cancelled before that rule kept their keys and
-- would block it; they get the form CancelJobs writes now.
UPDATE jobs SET job_key = job_key || '#cancelled:' || id
WHERE state = 'cancelled' AND job_key IS NOT NULL AND instr(job_key, '#cancelled:') = 0;
