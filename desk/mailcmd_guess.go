package desk

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An officer who mistypes a command ("#clsoe granted") or writes it in
// their own language ("#mbyll", "#zatvori") believes the ticket closed;
// relayed as text, the line told the citizen instead and nothing
// happened. Such a line is taken out as a command that is refused, and the
// officer's report names it with the command they probably meant. The
// Telegram bot reads every officer's "/..." as a command, a different
// rule for a different syntax: nothing of it fits a "#" line in a mail.

// commandSynonyms are the words officers write for a command instead of
// its English one, each with the command it stands for (with the outcome
// the word says). Only the imperatives an officer types for the actions
// here, in the officers' languages (Albanian, Serbian in both scripts)
// and the decisions' own English words; a hashtag of a signature
// (#MKRS, #KulturaKosova) is none of them.
var commandSynonyms = map[string]string{
	"grant":   "close granted",
	"granted": "close granted",
	"refuse":  "close refused",

	"mbyll":   "close",
	"zgjat":   "extend",
	"merr":    "take",
	"cakto":   "assign",
	"hap":     "reopen",
	"rihap":   "reopen",
	"urgjent": "urgent",

	"zatvori": "close", "затвори": "close",
	"produzi": "extend", "produži": "extend", "продужи": "extend",
	"preuzmi": "take", "преузми": "take",
	"dodeli": "assign", "додели": "assign",
	"otvori": "reopen", "отвори": "reopen",
	"hitno": "urgent", "хитно": "urgent",
}

// misspelledCommand reads fields, a line that starts with "#" and a word
// that is no command word, as a command the officer meant when the word
// is near a command word or a synonym (meantCommand): it is refused (so
// nothing of it is applied and it is not relayed), suggesting the line
// as it is written rightly. ok is false for text: a word that is not
// near one, a number ("#10"), a line of hashtags ("#mbyll #MKRS").
func misspelledCommand(fields []string) (Command, bool) {
	// The word as written names it back to the officer ("#urgent!"); a
	// sentence's punctuation after it does not unmake the guess.
	written := strings.TrimPrefix(fields[0], "#")
	word := strings.TrimRight(written, ".,;:!?…")
	if word == "" || strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
		return Command{}, false
	}
	for _, f := range fields[1:] {
		if strings.HasPrefix(f, "#") {
			return Command{}, false
		}
	}
	meant, ok := meantCommand(strings.ToLower(word))
	if !ok {
		return Command{}, false
	}
	suggest := "#" + meant
	if len(fields) > 1 {
		// "#mbyll granted" is "#close granted"; with words that the command
		// does not take, the command alone and how it is written.
		if c, ok := parseCommand(suggest + " " + strings.Join(fields[1:], " ")); ok && c.Err == nil {
			suggest = c.Line
		}
	}
	name, _, _ := strings.Cut(meant, " ")
	r := &Refusal{Kind: RefusedUnknownCommand, Value: written, Meant: suggest,
		text: fmt.Sprintf("#%s is no command; perhaps %s was meant, written as %s", written, suggest, commandUsage[name])}
	return Command{Line: strings.Join(fields, " "), Name: strings.ToLower(word), Err: r}, true
}

// meantCommand is the command (with its outcome, for "grant") that word,
// in lower case and no command word as written, was probably meant as: a
// command word with punctuation after it ("#urgent!"), a synonym, or a
// near-miss of either (nearness). The nearest wins; a tie goes to the
// command first in order, so the answer is the same every time.
func meantCommand(word string) (string, bool) {
	if _, ok := commandUsage[word]; ok {
		return word, true
	}
	if m, ok := commandSynonyms[word]; ok {
		return m, true
	}
	best, bestDist := "", 0
	try := func(known, meant string) {
		d := editDistance(word, known)
		if d > nearness(word, known) {
			return
		}
		if best == "" || d < bestDist || d == bestDist && meant < best {
			best, bestDist = meant, d
		}
	}
	for name := range commandUsage {
		try(name, name)
	}
	for w, meant := range commandSynonyms {
		try(w, meant)
	}
	return best, best != ""
}

// nearness is how many edits apart two words may be for one to be taken
// as a mistyping of the other, by the shorter's length: none below four
// letters ("#hap" and "#tak" are their own words), one up to six (two
// would take "#mkrs" for "merr", "#design" for "assign", "#time" for
// "take"), two from seven ("#zatvoren").
func nearness(a, b string) int {
	switch n := min(utf8.RuneCountInString(a), utf8.RuneCountInString(b)); {
	case n < 4:
		return 0
	case n <= 6:
		return 1
	}
	return 2
}

// editDistance is the optimal string alignment distance between a and b,
// by letters: insertions, deletions, substitutions and the swap of two
// neighbours ("clsoe") count one each.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
