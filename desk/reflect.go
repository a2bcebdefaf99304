package desk

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a sender writes in a display name or subject is echoed back to the
// address the acknowledgement goes to, which the sender chose too (From or
// Reply-To). Unchecked, that makes Sportel a reflector: mail that reads
// "Dear WIN 1000 EUR at http://evil.example," sent to any victim from the
// ministry's address. So the acknowledgement names a person only with what
// looks like a person's name, and repeats a subject only when it holds no
// link or address.

// maxNameRunes and maxNameWords bound a display name used in a greeting:
// real names are short; a sentence is an advertisement.
const (
	maxNameRunes = 64
	maxNameWords = 6
)

// linkLike matches what a mail client or a reader takes for a link or an
// address: a scheme, "www.", an "@", or a dotted name ending in a
// top-level-domain-like label ("evil.example", "evil[.]example",
// "evil。example").
var linkLike = regexp.MustCompile(`(?i)://|\bwww\s*[.。．]|@|＠|[\p{L}\p{N}_-]+(?:[.。．｡]|\[[.。．]\]|\([.。．]\))[\p{L}\p{N}_-]*\p{L}{2,}`)

// greetingName returns name when it looks like a person's name, else ""
// (the template then greets neutrally): letters of any script, with
// spaces, hyphens, apostrophes and dotted initials; no digits, no
// symbols, nothing link-like, short.
func greetingName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > maxNameRunes || len(strings.Fields(name)) > maxNameWords {
		return ""
	}
	if linkLike.MatchString(name) {
		return ""
	}
	letters := 0
	for _, r := range name {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.Mn, r):
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.' || r == ',':
		default:
			return ""
		}
	}
	if letters < 2 {
		return "" // ".", "-", "A.": no name to greet by
	}
	return name
}

// echoSubject returns subject when it may be repeated in an
// acknowledgement's subject, else "" (the subject is then only the
// ticket number).
func echoSubject(subject string) string {
	if linkLike.MatchString(subject) {
		return ""
	}
	return cutWords(subject, maxEchoRunes)
}

// maxEchoRunes bounds a subject repeated in an acknowledgement: a real
// one names the matter in a line; a longer one is a message of its own,
// which the acknowledgement would carry to whatever address the sender
// chose.
const maxEchoRunes = 150

// cutWords is s cut to at most max runes, at the last space within them
// when there is one, with "…" after it.
func cutWords(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut, n := 0, 0 // s[:cut] holds max-1 runes, room for the "…"
	for i := range s {
		if n == max-1 {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > 0 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}
