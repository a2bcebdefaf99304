package store

import (
	"strings"
	"unicode"
)

// MaxSearchWords bounds how many words of a search are used: a pasted
// paragraph must not turn into a query the size of the paragraph.
const MaxSearchWords = 16

// SearchWords splits a full-text search into the words every driver
// matches: runs of letters, digits and marks, lower-cased, with combining
// marks dropped (a decomposed "e" + U+0308 is searched as "e", as the
// indexes fold "ë"). Drivers fold precomposed diacritics themselves, the
// same way on the words and on the text they index, so "Përgjigje" and
// "pergjigje" find the same tickets. A word is one token for every driver.
func SearchWords(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if len(words) > MaxSearchWords {
		words = words[:MaxSearchWords]
	}
	out := words[:0]
	for _, w := range words {
		w = strings.Map(func(r rune) rune {
			if unicode.IsMark(r) {
				return -1
			}
			return r
		}, strings.ToLower(w))
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
