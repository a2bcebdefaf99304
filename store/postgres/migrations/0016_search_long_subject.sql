-- A tsvector holds at most 1 MB of distinct words, and tickets_search (0003)
-- indexed a ticket's whole subject: a subject with more refused the ticket
-- itself ("string is too long for tsvector"), and the message failed on
-- every retry where SQLite files it. A header may be 256 KiB (inbox/parse),
-- which a legacy charset decoded and Hangul decomposed (sportel_fold)
-- can make more than a megabyte.
-- The subject is indexed on its first 100,000 characters, as a message is
-- (entries_search).
DROP INDEX tickets_search;
CREATE INDEX tickets_search ON tickets USING gin (to_tsvector('simple', sportel_fold(left(subject, 100000))));

ANALYZE tickets;
