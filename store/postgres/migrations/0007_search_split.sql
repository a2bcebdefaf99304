-- Search on PostgreSQL found less than on SQLite:
-- * to_tsvector's parser reads "stadiumit.Faleminderit", e-mail addresses,
--   links, dates like 15.03.2026 and ticket numbers like DKP-2026-000042 as
--   single tokens of their own kinds (host, email, url, version, signed
--   integers), so none of their words was found; every character that is
--   not a letter or a digit is now a space before the parser sees it, the
--   same split store.SearchWords makes;
-- * only the letters listed in 0006 lost their diacritics, so Turkish ş ğ
--   ı and text with decomposed accents (e + U+0308) were indexed as written;
--   the text is now decomposed (NFD) and its combining marks dropped, which
--   folds every Latin letter that has a base letter, and the few that have
--   none (đ ı ł ø) are mapped.
-- Upper case is still mapped here for ASCII and Cyrillic, whatever the
-- database's locale; lower() stays for other scripts.
CREATE OR REPLACE FUNCTION sportel_fold(t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT regexp_replace(lower(translate(
    regexp_replace(normalize(t, NFD), '[\u0300-\u036f]', '', 'g'),
    'đĐıłŁøØ'
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    'ЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯҐ',
    'ddilloo'
    'abcdefghijklmnopqrstuvwxyz'
    'ѐёђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуфхцчшщъыьэюяґ')),
    '[^[:alnum:]\u00c0-\uffff]+', ' ', 'g') $$;

-- The indexes hold values of the old function.
REINDEX INDEX tickets_search;
REINDEX INDEX entries_search;

ANALYZE tickets;
ANALYZE entries;
