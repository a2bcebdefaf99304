package store

import (
	"strings"
	"unicode"
)

// MaxSearchWords bounds how many words of a search are used: a pasted
// paragraph must not turn into a query the size of the paragraph.
const MaxSearchWords = 16

// SearchWords splits a full-text search into the words every driver
// matches: runs of letters, digits and marks, lower-cased. Drivers fold
// diacritics themselves, the same way on the words and on the text they
// index, so "Përgjigje" and "pergjigje" find the same tickets.
func SearchWords(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if len(words) > MaxSearchWords {
		words = words[:MaxSearchWords]
	}
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	return words
}
