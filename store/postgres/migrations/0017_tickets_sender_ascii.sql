-- A sender's address matches in any ASCII case and only so
-- (inquiry.TicketFilter.SenderAddress), as SQLite's lower() has it. lower()
-- follows the database's locale: in a database made with the system's
-- (en_US.UTF-8, C.UTF-8) it also folds "Ç" to "ç" and "Љ" to "љ", so two
-- addresses SQLite keeps apart were one sender's on PostgreSQL. Lowered
-- under the C collation, they are ASCII-folded whatever the locale.
DROP INDEX tickets_sender;
CREATE INDEX tickets_sender ON tickets (lower(sender_address COLLATE "C"), received_at, received_at_ns, id);

ANALYZE tickets;
