-- The lifecycle of a document request: urgency, the one extension, a
-- document not held, the decision (outcome ground, when it reached the
-- requester) and complaints to the Information and Privacy Agency. Reopens
-- and every change are notes in entries.
ALTER TABLE tickets ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN ext_days INTEGER NOT NULL DEFAULT 0; -- 0: not extended
ALTER TABLE tickets ADD COLUMN ext_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN ext_due_at TEXT;
ALTER TABLE tickets ADD COLUMN ext_at TEXT;
ALTER TABLE tickets ADD COLUMN ext_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN not_held_at TEXT; -- NULL: not marked
ALTER TABLE tickets ADD COLUMN not_held_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN not_held_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN ground TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN decided_at TEXT;
ALTER TABLE tickets ADD COLUMN decision_in_answer INTEGER NOT NULL DEFAULT 0;
-- JSON array of inquiry.Complaint; NULL when there is none.
ALTER TABLE tickets ADD COLUMN complaints TEXT;
