package classifier

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"sportel/inquiry"
)

// clearLanguage is the detector's confidence at and above which the
// sender's own words decide the language whatever the mail declares: a
// Content-Language comes from the writer's mail client, often installed in
// English, and must not outvote an Albanian text.
const clearLanguage = 0.9

// messageLanguage tells the language of a message from own, the sender's
// own words as languageWords gives them (no quotes, footers, signature or
// contact block); the subject is added when the body alone is not
// conclusive, since replies keep the ministry's subject line. declared is
// the language the mail says it is in (Content-Language): Albanian or
// Serbian declared decides when the words are not clear; English declared
// is left to the desk, after the sender's earlier tickets (many clients
// declare English only because they were installed in English). The answer
// is "und" when nothing decides: the desk then goes on with what else it
// knows.
func messageLanguage(subject, own string, declared inquiry.Language) inquiry.Language {
	lang, conf := guessLanguage(own)
	if (lang == inquiry.UndefinedLang || conf < unsureBelow) && subject != "" {
		lang, conf = guessLanguage(subject + "\n" + own)
	}
	switch {
	case lang != inquiry.UndefinedLang && conf >= clearLanguage:
		return lang
	case declared == inquiry.Albanian || declared == inquiry.SerbianLatin || declared == inquiry.SerbianCyrl:
		return declared
	case lang != inquiry.UndefinedLang && conf >= unsureBelow:
		return lang
	}
	return inquiry.UndefinedLang
}

// TextLanguage is the language of the sender's own words of text (as
// messageLanguage reads them, without the subject; "und" when they are not
// conclusive), whether they are clear about it (the confidence at which
// they outvote a declared language), and how many words of letters they
// hold: a reply to a ticket is judged by it.
func TextLanguage(text string) (lang inquiry.Language, clear bool, words int) {
	own := languageWords(text)
	for w := range strings.FieldsSeq(own) {
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			words++
		}
	}
	lang, conf := DetectLanguage(own)
	return lang, conf >= clearLanguage, words
}

// languageWords is the sender's own words (ownWords) without what a mail
// client or an employer adds under them: a confidentiality notice and a
// contact block (name, title, phone, web address), which are often English
// under a text in Albanian or Serbian. Nothing of them is left when the
// mail has no words of its own: a lone footer or quote says nothing about
// the sender's language.
func languageWords(text string) string {
	return withoutContactBlock(ownWords(text))
}

// withoutContactBlock is languageWords for own words already stripped.
func withoutContactBlock(own string) string {
	if own == "" {
		return ""
	}
	lines := strings.Split(own, "\n")
	for i := 1; i < len(lines); i++ {
		if isNotice(lines[i]) && hasContent(lines[:i]) {
			lines = lines[:i]
			break
		}
	}
	for {
		end := len(lines)
		for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		start := end
		for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
			start--
		}
		if !hasContent(lines[:start]) || !isContactBlock(lines[start:end]) {
			return strings.TrimSpace(strings.Join(lines[:end], "\n"))
		}
		lines = lines[:start]
	}
}

var noticeStarts = []string{
	"this email", "this e-mail", "this message", "the information contained", "the information in this",
	"confidentiality", "confidential", "disclaimer", "privileged",
	"ky email", "ky e-mail", "ky mesazh", "informacioni i përmbajtur", "informacioni i permbajtur",
	"ova poruka", "ovaj email", "ovaj e-mail", "ова порука", "овај имејл",
}

var noticeWords = []string{"confidential", "intended", "privileged", "konfidencial", "poverlji", "поверљив"}

// isNotice matches the first line of a confidentiality notice.
func isNotice(line string) bool {
	line = strings.TrimSpace(line)
	// Most lines are not lowered at all: they start no notice.
	if !slices.ContainsFunc(noticeStarts, func(p string) bool { return hasLowerPrefix(line, p) }) {
		return false
	}
	l := strings.ToLower(line)
	for _, w := range noticeWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// isContactBlock reports whether a paragraph is a signature's contact
// block: a few short lines, one of them a phone number, a web or mail
// address.
func isContactBlock(lines []string) bool {
	if len(lines) == 0 || len(lines) > 6 {
		return false
	}
	contact := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if utf8.RuneCountInString(l) > 60 {
			return false
		}
		contact = contact || isContactLine(l)
	}
	return contact
}

var contactPrefixes = []string{"tel", "t:", "m:", "mob", "phone", "cel", "fax", "e:", "email:", "e-mail:", "web:", "www."}

func isContactLine(l string) bool {
	low := strings.ToLower(l)
	if hasAnyPrefix(low, contactPrefixes) || strings.Contains(low, "@") || strings.Contains(low, "://") {
		return true
	}
	digits := 0
	for _, r := range l {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '/' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= 7
}
