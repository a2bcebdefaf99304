-- Search on PostgreSQL did not find a word next to typographic punctuation:
-- 0007 kept every character from U+00C0 up as part of a word, because the
-- regular expressions' classes know only ASCII in the C locale, so „ “ ” ‘
-- ’ — … € × and the like were letters, and „Kërkesë“ (Albanian and Serbian
-- quote so), "Pagesa—urgjente" or "“kopje”" were indexed as single words
-- that "kerkese", "urgjente" or "kopje" did not find. SQLite's tokenizer
-- (unicode61: letters, numbers and private use) splits there. The blocks of
-- punctuation and symbols are now split as well, whatever the locale:
-- General Punctuation to Miscellaneous Symbols and Arrows (U+2000-2BFF),
-- Supplemental and CJK punctuation (U+2E00-303F), variation selectors,
-- small and vertical forms, the byte order mark, fullwidth signs and the
-- specials (U+FFF0-FFFF, U+FFFD among them), and × ÷; Latin-1's letters
-- and numbers below U+00C0 (ª ² ³ µ ¹ º ¼ ½ ¾) are kept, as SQLite keeps them.
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
    '[^[:alnum:]\u00aa\u00b2\u00b3\u00b5\u00b9\u00ba\u00bc-\u00be\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff'
    '\u2c00-\u2dff\u3040-\ud7ff\ue000-\ufdff\ufe70-\ufefe\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uffdc]+',
    ' ', 'g') $$;

-- The indexes hold values of the old function.
REINDEX INDEX tickets_search;
REINDEX INDEX entries_search;

ANALYZE tickets;
ANALYZE entries;
