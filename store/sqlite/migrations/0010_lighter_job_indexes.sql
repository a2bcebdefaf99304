-- Every ticket queues two or more jobs, and each job's insert writes every
-- index of jobs. Two of them did nothing for their cost:
-- jobs_ticket (ticket_id, id) is the prefix of jobs_ticket_recipient, which
-- serves the same look-ups (a ticket's few jobs are sorted by id in memory);
-- jobs_key indexed the NULL key of every job, where only scheduled sends
-- carry one. It now holds only keyed jobs and still refuses a second one
-- (the insert names the same condition in ON CONFLICT).

DROP INDEX jobs_ticket;

DROP INDEX jobs_key;
CREATE UNIQUE INDEX jobs_key ON jobs (job_key) WHERE job_key IS NOT NULL;
