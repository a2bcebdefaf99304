package store

import (
	"slices"
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

// maxVariedD bounds how many d's of a word SpellingVariants varies: three
// give 27 spellings, enough for any real name.
const maxVariedD = 3

// SpellingVariants are the spellings a search for word, one of
// SearchWords', must also try: Serbian Latin writes đ as "đ", "dj" or, on
// phones, "d" (Đakovica, Djakovica, Dakovica; građevinska, gradjevinska,
// gradevinska), and no index folds one into another. Each of the first
// maxVariedD d's of the word (a "dj" or "đ" counts as one) takes all three
// forms; the word itself is among the spellings.
func SpellingVariants(word string) []string {
	base := strings.ReplaceAll(strings.ReplaceAll(word, "đ", "d"), "dj", "d")
	if !strings.Contains(base, "d") {
		return []string{word}
	}
	out := []string{""}
	varied := 0
	for _, r := range base {
		forms := []string{string(r)}
		if r == 'd' && varied < maxVariedD {
			forms = []string{"d", "đ", "dj"}
			varied++
		}
		next := make([]string, 0, len(out)*len(forms))
		for _, prefix := range out {
			for _, f := range forms {
				next = append(next, prefix+f)
			}
		}
		out = next
	}
	if !slices.Contains(out, word) {
		out = append(out, word)
	}
	return out
}
