package classifier

//go:generate env SPORTEL_UPDATE_LANGPROFILE=1 go test -run ^TestLanguageProfileUpToDate$ .

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"sportel/inquiry"
)

// Profile language slots in langprofile_gen.go. Serbian is one slot: both
// scripts are folded to Latin before the profile is consulted, and the script
// itself is read directly from the letters.
const (
	profSq = iota
	profSr
	profEn
	numProfileLangs
)

var profileLanguages = [numProfileLangs]inquiry.Language{inquiry.Albanian, inquiry.SerbianLatin, inquiry.English}

// unsureBelow is the detector's own confidence under which it answers "und".
const unsureBelow = 0.5

// diacriticBonus is the log-likelihood one letter with a language's own
// diacritic adds: ë and ç are Albanian, č ć š ž đ Serbian, and English has
// none. The profile cannot see them because it works on folded text.
const diacriticBonus = 1.5

// DetectLanguage tells which of Sportel's four languages text is written in:
// sq, sr-Latn, sr-Cyrl or en, with a confidence in [0,1]. It returns "und"
// when text has no letters or the evidence is too weak to choose. It needs no
// network: Cyrillic letters decide sr-Cyrl, and the Latin-script languages are
// told apart by character-trigram and word profiles learnt from the embedded
// corpus (langprofile_gen.go) plus the diacritics only one language uses, so
// Albanian written without ë and ç is still recognised.
func DetectLanguage(text string) (lang inquiry.Language, confidence float64) {
	lang, confidence = guessLanguage(text)
	if confidence < unsureBelow {
		return inquiry.UndefinedLang, confidence
	}
	return lang, confidence
}

// guessLanguage is DetectLanguage without the "und" cut-off: the best guess
// and its confidence, or "und" with 0 only when there is nothing to go on.
func guessLanguage(text string) (inquiry.Language, float64) {
	var cyrillic, latin int
	var bonus [numProfileLangs]float64
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			// ASCII: no Cyrillic, no diacritics.
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				latin++
			}
		case isCyrillic(r):
			cyrillic++
		case unicode.IsLetter(r) && unicode.Is(unicode.Latin, r):
			latin++
			switch unicode.ToLower(r) {
			case 'ë', 'ç':
				bonus[profSq] += diacriticBonus
			case 'č', 'ć', 'š', 'ž', 'đ':
				bonus[profSr] += diacriticBonus
			}
		}
	}
	if cyrillic+latin == 0 {
		return inquiry.UndefinedLang, 0
	}
	if cyrillic > 0 {
		if cyr, lat := scriptLetters(text); cyr > lat {
			return inquiry.SerbianCyrl, float64(cyr) / float64(cyr+lat)
		}
	}

	scores := bonus
	n := 0
	for w := range strings.FieldsSeq(Normalize(text)) {
		if allDigits(w) {
			continue
		}
		if lp, ok := profileWords[w]; ok {
			for l := range numProfileLangs {
				scores[l] += float64(lp[l])
			}
			n++
		}
		visitTrigrams(w, func(t trigram) {
			if lp, ok := trigramProfile[t]; ok {
				for l := range numProfileLangs {
					scores[l] += float64(lp[l])
				}
				n++
			}
		})
	}
	if n == 0 && bonus == [numProfileLangs]float64{} {
		return inquiry.UndefinedLang, 0
	}
	// Dividing by √n turns the summed log-likelihoods into a confidence
	// that grows with the amount of evidence without saturating at once.
	damp := math.Sqrt(math.Max(1, float64(n)))
	best, total := 0, 0.0
	maxScore := math.Inf(-1)
	for l := range numProfileLangs {
		maxScore = math.Max(maxScore, scores[l]/damp)
	}
	var probs [numProfileLangs]float64
	for l := range numProfileLangs {
		probs[l] = math.Exp(scores[l]/damp - maxScore)
		total += probs[l]
		if probs[l] > probs[best] {
			best = l
		}
	}
	return profileLanguages[best], probs[best] / total
}

// trigram is a letter trigram packed into an integer, 21 bits a letter, so
// that looking one up neither builds nor hashes a string.
type trigram uint64

const (
	trigramLetterBits = 21 // enough for any rune
	trigramMask       = 1<<(3*trigramLetterBits) - 1
)

// trigramOf packs a trigram of three letters.
func trigramOf(gram string) trigram {
	var t trigram
	for _, r := range gram {
		t = t<<trigramLetterBits | trigram(r)
	}
	return t
}

func (t trigram) String() string {
	const letter = 1<<trigramLetterBits - 1
	return string([]rune{rune(t >> (2 * trigramLetterBits)), rune(t >> trigramLetterBits & letter), rune(t & letter)})
}

// trigramProfile is profileTrigrams keyed by packed trigram.
var trigramProfile = func() map[trigram][numProfileLangs]float32 {
	m := make(map[trigram][numProfileLangs]float32, len(profileTrigrams))
	for gram, lp := range profileTrigrams {
		m[trigramOf(gram)] = lp
	}
	return m
}()

// visitTrigrams calls fn for each three-letter window of word padded with a
// space on both sides, so that word starts and ends are features too. word
// is valid UTF-8, as Normalize gives it.
func visitTrigrams(word string, fn func(t trigram)) {
	t := trigram(' ')
	letters := 1
	for _, r := range word {
		t = (t<<trigramLetterBits | trigram(r)) & trigramMask
		if letters++; letters >= 3 {
			fn(t)
		}
	}
	if letters >= 2 {
		fn((t<<trigramLetterBits | ' ') & trigramMask)
	}
}

// scriptLetters counts the Cyrillic and the Latin letters that tell which
// script a message is written in: those of its ordinary words, the ones
// that start with a small letter. A Cyrillic mail is often signed with a
// name, an outlet, an address or a link in Latin letters, which outweighed
// its few sentences. Web and mail addresses never count; when no ordinary
// word is left (a text in capitals, names only), every other word does.
func scriptLetters(text string) (cyrillic, latin int) {
	var allCyr, allLat int
	for w := range strings.FieldsSeq(text) {
		if strings.Contains(w, "@") || strings.Contains(w, "://") || hasLowerPrefix(w, "www.") {
			continue
		}
		first := true
		ordinary := false
		for _, r := range w {
			if !unicode.IsLetter(r) {
				continue
			}
			if first {
				ordinary, first = unicode.IsLower(r), false
			}
			switch {
			case isCyrillic(r):
				allCyr++
				if ordinary {
					cyrillic++
				}
			case unicode.Is(unicode.Latin, r):
				allLat++
				if ordinary {
					latin++
				}
			}
		}
	}
	if cyrillic+latin == 0 {
		return allCyr, allLat
	}
	return cyrillic, latin
}
