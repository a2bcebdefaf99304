-- When a ticket was filed, which its message's date (received_at) is not:
-- mail taken in after the daemon was down, or dated before the last daily
-- digest, is filed later than it says. The digest counts new tickets by
-- when they were filed, so each ticket is in exactly one. A ticket filed
-- before this version takes the time its first source message was taken
-- in (written in the filing transaction), else its received_at. NULL only
-- until then: CreateTicket always writes it.
ALTER TABLE tickets ADD COLUMN created_at TEXT;

UPDATE tickets SET created_at = first.taken_at
FROM (SELECT ticket_id, MIN(taken_at) AS taken_at FROM sources WHERE ticket_id IS NOT NULL GROUP BY ticket_id) AS first
WHERE first.ticket_id = tickets.id;

UPDATE tickets SET created_at = received_at WHERE created_at IS NULL;
