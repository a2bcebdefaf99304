-- sportel_fold (0003) left lower-casing to lower(), which in a database
-- with the C locale folds only ASCII: "ЗАХТЕВ" was indexed as written and
-- never matched the searched "захтев" (words are lower-cased before they
-- are folded). The letters are now mapped to lower case here, whatever the
-- database's locale: Latin with the diacritics 0003 dropped, ASCII, and
-- Cyrillic (U+0400..U+042F and Ґ). lower() stays for other scripts where
-- the locale knows them.
CREATE OR REPLACE FUNCTION sportel_fold(t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(translate(t,
    'ëçčćšžđáàâäãåéèêíìîïóòôöõúùûüýÿñËÇČĆŠŽĐÁÀÂÄÃÅÉÈÊÍÌÎÏÓÒÔÖÕÚÙÛÜÝŸÑ'
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    'ЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯҐ',
    'ecccszdaaaaaaeeeiiiiooooouuuuyynecccszdaaaaaaeeeiiiiooooouuuuyyn'
    'abcdefghijklmnopqrstuvwxyz'
    'ѐёђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуфхцчшщъыьэюяґ')) $$;

-- The indexes hold values of the old function: rebuild them, or text
-- written before the upgrade would not be found under its new folding.
REINDEX INDEX tickets_search;
REINDEX INDEX entries_search;

ANALYZE tickets;
ANALYZE entries;
