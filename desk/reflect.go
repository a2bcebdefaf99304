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

// looksLikeLink is linkLike.MatchString(s), without running the expression
// on text that cannot match: each of its branches needs "://", an "@" or a
// dot, and most names and subjects have none of them.
func looksLikeLink(s string) bool {
	if !mayLookLikeLink(s) {
		return false
	}
	return linkLike.MatchString(s)
}

// mayLookLikeLink reports whether s holds "://", "@", "＠" or one of the
// dots linkLike knows (".", "。", "．", "｡").
func mayLookLikeLink(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '@', '.':
			return true
		case ':':
			if strings.HasPrefix(s[i:], "://") {
				return true
			}
		case 0xe3, 0xef: // how "。" and the full-width forms begin in UTF-8
			for _, c := range [...]string{"＠", "。", "．", "｡"} {
				if strings.HasPrefix(s[i:], c) {
					return true
				}
			}
		}
	}
	return false
}

// greetingName returns name when it looks like a person's name, else ""
// (the template then greets neutrally): letters of any script, with
// spaces, hyphens, apostrophes and dotted initials; no digits, no
// symbols, nothing link-like, short.
func greetingName(name string) string {
	name = singleSpaced(name)
	// Single-spaced, its words are its spaces and one.
	if name == "" || utf8.RuneCountInString(name) > maxNameRunes || strings.Count(name, " ")+1 > maxNameWords {
		return ""
	}
	if looksLikeLink(name) {
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

// singleSpaced is strings.Join(strings.Fields(s), " "): s's words with one
// space between them. It is s itself, with nothing allocated, when s is
// so already, as names and subjects mostly are.
func singleSpaced(s string) string {
	prevSpace := true // no space may lead
	for _, r := range s {
		switch {
		case r == ' ' && !prevSpace:
			prevSpace = true
		case unicode.IsSpace(r):
			return strings.Join(strings.Fields(s), " ")
		default:
			prevSpace = false
		}
	}
	if prevSpace && s != "" {
		return strings.Join(strings.Fields(s), " ") // a space at the end
	}
	return s
}

// echoSubject returns subject when it may be repeated in an
// acknowledgement's subject, else "" (the subject is then only the
// ticket number).
func echoSubject(subject string) string {
	if looksLikeLink(subject) {
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
