-- Full-text search over tickets' subjects and every message on them
-- (inquiry.TicketFilter.Text), with the 'simple' configuration (no
-- stemming, no stop words: the text is in four languages) over text folded
-- by sportel_fold: lower case without the diacritics of Albanian, Serbian
-- Latin and the other Latin letters a mail may carry, so "pergjigje" finds
-- "përgjigje". The upper-case letters are mapped here, since lower() leaves
-- them alone in a database with the C locale. Expression indexes keep the
-- index in step with every write and index what is there when built.
CREATE FUNCTION sportel_fold(t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(translate(t,
    'ëçčćšžđáàâäãåéèêíìîïóòôöõúùûüýÿñËÇČĆŠŽĐÁÀÂÄÃÅÉÈÊÍÌÎÏÓÒÔÖÕÚÙÛÜÝŸÑ',
    'ecccszdaaaaaaeeeiiiiooooouuuuyynECCCSZDAAAAAAEEEIIIIOOOOOUUUUYYN')) $$;

CREATE INDEX tickets_search ON tickets USING gin (to_tsvector('simple', sportel_fold(subject)));

-- A tsvector holds at most 1 MB, so a message is indexed on its first
-- 100,000 characters (a long letter's words are there many times over).
CREATE INDEX entries_search ON entries USING gin
    (to_tsvector('simple', sportel_fold(left(subject || ' ' || body, 100000))));

-- Statistics on the new expressions now, so the first searches after an
-- upgrade use the indexes rather than waiting for autovacuum.
ANALYZE tickets;
ANALYZE entries;
