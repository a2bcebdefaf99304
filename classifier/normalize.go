package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds text into the form the model's features are built from:
// lower case, diacritics removed (ë→e, ç→c, č/ć→c, š→s, ž→z, đ→dj), Serbian
// Cyrillic transliterated to Latin, and every run of characters that are not
// letters or digits collapsed into one space. Citizens write the same word
// with and without diacritics and in either script, so all of these spellings
// must meet in one feature. The result is idempotent: Normalize(Normalize(s))
// equals Normalize(s).
func Normalize(text string) string {
	var n normalizer
	n.b.Grow(len(text))
	for _, r := range text {
		if r < utf8.RuneSelf {
			switch {
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			default:
				n.pendingSpace = true
				continue
			}
			n.separate()
			n.b.WriteByte(byte(r))
			continue
		}
		r = unicode.ToLower(r)
		if s, ok := foldSpecial(r); ok {
			n.emitString(s)
			continue
		}
		n.emitDecomposed(r)
	}
	return n.b.String()
}

// normalizer builds Normalize's result.
type normalizer struct {
	b            strings.Builder
	pendingSpace bool
}

// emit writes a letter or a digit, after one space if something else came
// between it and the previous one; anything else only marks that space.
func (n *normalizer) emit(r rune) {
	var keep bool
	if r < utf8.RuneSelf {
		keep = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	} else {
		keep = unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	if !keep {
		n.pendingSpace = true
		return
	}
	n.separate()
	if r < utf8.RuneSelf {
		n.b.WriteByte(byte(r))
	} else {
		n.b.WriteRune(r)
	}
}

// separate writes the one space that stands for whatever came between the
// letter about to be written and the one before it.
func (n *normalizer) separate() {
	if n.pendingSpace && n.b.Len() > 0 {
		n.b.WriteByte(' ')
	}
	n.pendingSpace = false
}

func (n *normalizer) emitString(s string) {
	for _, r := range s {
		n.emit(r)
	}
}

// emitDecomposed emits a lower-case letter that foldSpecial does not map.
// Canonical decomposition splits a letter from its accents; the accents
// (non-spacing marks) are dropped, the base letters kept.
func (n *normalizer) emitDecomposed(r rune) {
	var decomposed [32]byte
	for _, dr := range string(norm.NFD.AppendString(decomposed[:0], string(r))) {
		if unicode.Is(unicode.Mn, dr) {
			continue
		}
		dr = unicode.ToLower(dr)
		if s, ok := foldSpecial(dr); ok {
			n.emitString(s)
			continue
		}
		n.emit(dr)
	}
}

// foldSpecial maps the letters that canonical decomposition does not reduce
// to ASCII: Cyrillic (Serbian first, then the common letters of its
// neighbours) and Latin letters without a decomposition such as đ.
func foldSpecial(r rune) (string, bool) {
	switch r {
	// The accented letters of Albanian and Serbian Latin, answered here so
	// that the common case skips the decomposition tables.
	case 'ë', 'é', 'è', 'ê':
		return "e", true
	case 'ç', 'č', 'ć':
		return "c", true
	case 'š':
		return "s", true
	case 'ž':
		return "z", true
	// Serbian Cyrillic, following the official Latin alphabet.
	case 'а':
		return "a", true
	case 'б':
		return "b", true
	case 'в':
		return "v", true
	case 'г':
		return "g", true
	case 'д':
		return "d", true
	case 'ђ':
		return "dj", true
	case 'е':
		return "e", true
	case 'ж':
		return "z", true
	case 'з':
		return "z", true
	case 'и':
		return "i", true
	case 'ј':
		return "j", true
	case 'к':
		return "k", true
	case 'л':
		return "l", true
	case 'љ':
		return "lj", true
	case 'м':
		return "m", true
	case 'н':
		return "n", true
	case 'њ':
		return "nj", true
	case 'о':
		return "o", true
	case 'п':
		return "p", true
	case 'р':
		return "r", true
	case 'с':
		return "s", true
	case 'т':
		return "t", true
	case 'ћ':
		return "c", true
	case 'у':
		return "u", true
	case 'ф':
		return "f", true
	case 'х':
		return "h", true
	case 'ц':
		return "c", true
	case 'ч':
		return "c", true
	case 'џ':
		return "dz", true
	case 'ш':
		return "s", true
	// Other Cyrillic letters a writer might mix in.
	case 'й':
		return "j", true
	case 'ы':
		return "y", true
	case 'э', 'є', 'ё':
		return "e", true
	case 'ю':
		return "ju", true
	case 'я':
		return "ja", true
	case 'щ':
		return "s", true
	case 'ъ', 'ь':
		return "", true
	case 'і', 'ї':
		return "i", true
	case 'ѓ':
		return "g", true
	case 'ќ':
		return "k", true
	case 'ѕ':
		return "dz", true
	// Latin letters without a canonical decomposition.
	case 'đ':
		return "dj", true
	case 'ð':
		return "d", true
	case 'ł':
		return "l", true
	case 'ø':
		return "o", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'ß':
		return "ss", true
	case 'þ':
		return "th", true
	case 'ı':
		return "i", true
	}
	return "", false
}

// isCyrillic reports whether r is a Cyrillic letter.
func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }
