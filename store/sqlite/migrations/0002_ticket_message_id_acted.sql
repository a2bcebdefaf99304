-- Tickets remember the Message-ID of the citizen's first mail (answers
-- thread on it) and whether an officer has acted on them.
ALTER TABLE tickets ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN acted INTEGER NOT NULL DEFAULT 0;

-- LatestChatTicket: newest ticket of a Telegram chat.
DROP INDEX tickets_chat;
CREATE INDEX tickets_chat ON tickets (chat_id, id) WHERE chat_id <> 0;
