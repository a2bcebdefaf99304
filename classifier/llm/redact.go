package llm

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	emailMask = "[email]"
	phoneMask = "[phone]"
)

// emailPattern is deliberately broad (Unicode local parts and domains): a
// false positive costs one word of context, a miss leaks an address.
var emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)

// phoneRunPattern finds runs of digit groups joined by at most one separator,
// optionally with parentheses around a group: "+383 (0)44 123-456",
// "044/123-456", "(038) 200 20 000". Whether a run is a phone number is
// decided by isPhone, because a regexp cannot count digits.
var phoneRunPattern = regexp.MustCompile(`\+?\(?\d+(?:\)?[ \-/.]?\(?\d+)*\)?`)

// Redact masks email addresses and phone numbers in text, so that an
// external model never sees how to reach the citizen. Dates, amounts, law and
// ticket numbers are left alone.
func Redact(text string) string {
	text = emailPattern.ReplaceAllString(text, emailMask)

	var out strings.Builder
	last := 0
	for _, loc := range phoneRunPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		run := text[start:end]
		// A closing parenthesis belongs to the number only if it opened in it.
		if strings.HasSuffix(run, ")") && strings.Count(run, "(") < strings.Count(run, ")") {
			end--
			run = run[:len(run)-1]
		}
		if !standsAlone(text, start, end) || !isPhone(run) {
			continue
		}
		out.WriteString(text[last:start])
		out.WriteString(phoneMask)
		last = end
	}
	if last == 0 {
		return text
	}
	out.WriteString(text[last:])
	return out.String()
}

// standsAlone reports whether text[start:end] is not glued to a word, so
// that "DKP-2026-000042" or "A0441234567" are not taken for phone numbers.
func standsAlone(text string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '/' {
			return false
		}
	}
	if end < len(text) {
		r, _ := utf8.DecodeRuneInString(text[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return false
		}
	}
	return true
}

// isPhone decides whether a run of digit groups is a phone number:
//   - international: "+" or "00" then a country code, 8 to 15 digits;
//   - domestic (Kosovo, and the Serbian numbers citizens also write): a
//     trunk "0", a two- or three-digit area or mobile code, 9 to 11 digits
//     (more when several are written in a row), with no dots, because
//     dotted runs are dates ("01.02.2026").
func isPhone(run string) bool {
	groups, digits := digitGroups(run)
	if len(groups) == 0 {
		return false
	}
	trimmed := strings.TrimLeft(run, "(")
	switch {
	case strings.HasPrefix(trimmed, "+"):
		return digits >= 8 && digits <= 15 && groups[0][0] != '0'
	case strings.HasPrefix(run, "00"):
		return len(groups[0]) > 2 && groups[0][2] != '0' && digits-2 >= 8 && digits-2 <= 15
	case strings.HasPrefix(groups[0], "0") && len(groups[0]) >= 2 && groups[0][1] != '0':
		if strings.Contains(run, ".") || digits < 9 {
			return false
		}
		// "044 123 456" has an area code of 3-4 digits with the trunk 0;
		// "044123456" is written in one piece. A first group of two digits
		// ("01/02/2026 14") is a date or a reference, not a phone.
		if len(groups) == 1 {
			return digits <= 11
		}
		// More than 11 digits in code-led groups is several numbers written
		// one after another ("044 123 456 049 765 432"): mask them together.
		return len(groups[0]) >= 3 && len(groups[0]) <= 4
	}
	return false
}

func digitGroups(run string) (groups []string, digits int) {
	start := -1
	for i, r := range run {
		isDigit := r >= '0' && r <= '9'
		if isDigit {
			digits++
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			groups = append(groups, run[start:i])
			start = -1
		}
	}
	if start >= 0 {
		groups = append(groups, run[start:])
	}
	return groups, digits
}
