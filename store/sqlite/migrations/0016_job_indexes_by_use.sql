-- A job is written when it is queued and again when it is sent, and each
-- write updates every index whose columns or condition it changes. Two
-- indexes cost that on every job for reads that narrower ones serve:
-- jobs_state (state, id) took every job twice at the send (out of
-- 'pending', into 'done'), for reads that name their state, which the
-- partial indexes of pending and failed jobs serve (jobs_due,
-- jobs_failed); jobs_sent held every sent job for the two reads of sent
-- jobs by finish time, the hourly cap's count of acknowledgements and the
-- pruning of sign-in mails. Each now has an index of its own kind, and a
-- notification, most of the rest, is in neither.

DROP INDEX jobs_state;
DROP INDEX jobs_sent;
CREATE INDEX jobs_acks_sent ON jobs (finished_at) WHERE state = 'done' AND kind = 'ack';
CREATE INDEX jobs_signins_sent ON jobs (finished_at) WHERE state = 'done' AND kind = 'signin';
