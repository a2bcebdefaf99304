package llm

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The masks the model sees instead of personal data; systemPrompt names
// them, and sportel.example.yaml lists what each replaces.
const (
	emailMask    = "[email]"
	phoneMask    = "[phone]"
	personalMask = "[personal-number]"
	ibanMask     = "[iban]"
	accountMask  = "[account]"
	dateMask     = "[date]"
	addressMask  = "[address]"
)

// emailPattern is deliberately broad (Unicode local parts and domains): a
// false positive costs one word of context, a miss leaks an address. It is
// anchored: maskEmails runs it only where a local part before an "@" starts.
var emailPattern = regexp.MustCompile(`^[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)

// obfuscatedEmailPattern finds addresses written out to fool harvesters:
// "name dot surname at gmail dot com", "emri[at]gmail[dot]com",
// "emri (et) gmail (pikë) com", "emri @ gmail.com". The spelled words are
// English and Albanian ("et" and "pikë" are how @ and the dot are read out
// in Albanian); in brackets they are unambiguous, bare they need spaces
// around them and a domain with a top-level label after them. A literal
// dot joins only without spaces, so "at home. Then" is no address. The
// top-level label must end the word (checked in code: \b is ASCII-only).
var obfuscatedEmailPattern = regexp.MustCompile(`(?i)` +
	`[\p{L}\p{N}_%+\-]+(?:` + dotSep + `[\p{L}\p{N}_%+\-]+)*` +
	`(?:\s*[\[({]\s*(?:at|et)\s*[\])}]\s*|\s+(?:at|et|@)\s+)` +
	`[\p{L}\p{N}\-]+(?:` + dotSep + `[\p{L}\p{N}\-]+)*` + dotSep + `\p{L}{2,6}`)

const dotSep = `(?:\.|\s*[\[({]\s*(?:dot|pik[eë])\s*[\])}]\s*|\s+(?:dot|pik[eë])\s+)`

// ibanPattern has the shape of an IBAN in any country: two letters, two
// check digits, then the account in groups of four (or unbroken).
// Whether it is one is decided by isIBAN.
var ibanPattern = regexp.MustCompile(`\b[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]{4}){2,7}(?:[ \-]?[A-Za-z0-9]{1,4})?\b`)

// Dates are masked whenever they name a day of a year, not only near
// "born" or "lindur": a date of birth is as often written bare (a
// signature line, "Arta Krasniqi, 01.03.1990"), and the model decides a
// category and a language, for which a date matters little. A year alone
// (2026) and a day without a year ("më 15 mars") stay: they identify no
// one and a year often names what is asked for ("the report of 2025").
var (
	// 01.03.1990, 1. 3. 1990, 1/3/1990, 01-03-1990, and 01.03.90 with
	// two-digit day and month ("neni 5.2.10" is an article, "11-07/26" a
	// protocol number).
	dmyPattern = regexp.MustCompile(`\b(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}-\d{1,2}-\d{4}|\d{2}\.\d{2}\.\d{2}|\d{2}/\d{2}/\d{2})\b`)
	// 1990-03-01, 1990.03.01, 1990/03/01.
	ymdPattern = regexp.MustCompile(`\b\d{4}(?:-\d{1,2}-|\.\d{1,2}\.|/\d{1,2}/)\d{1,2}\b`)
	// "1 March 1990", "1st of March, 1990", "March 1, 1990", "1 mars 1990",
	// "1 marsit 1990", "1. marta 1990.", "1. марта 1990": day and year with
	// a month's name in English, Albanian or Serbian (either script).
	// It is anchored at the end: it runs only on the few bytes before each
	// four-digit number (see maskWrittenDates), since a case-folded
	// alternation of month names is the slowest pattern here.
	writtenDatePattern = regexp.MustCompile(`(?i)\b(?:` +
		`\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:of\s+|e\s+)?` + monthNames + `\.?,?\s+\d{4}` +
		`|` + monthNames + `\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}` +
		`)$`)
)

// writtenDateReach is how far before its year a written date may start:
// "21st of September, " is 19 bytes, "12. септембра " 23.
const writtenDateReach = 40

const monthNames = `(?:` +
	// English, with the usual abbreviations.
	`january|february|march|april|may|june|july|august|september|october|november|december|` +
	`jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|` +
	// Albanian, bare and definite ("marsit").
	`janar|shkurt|mars|prill|maj|qershor|korrik|gusht|shtator|tetor|n[eë]ntor|dhjetor|` +
	`janarit|shkurtit|marsit|prillit|majit|qershorit|korrikut|gushtit|shtatorit|tetorit|n[eë]ntorit|dhjetorit|` +
	// Serbian, Latin and Cyrillic, nominative and genitive ("marta").
	`januara?|februara?|marta?|aprila?|maja?|juna?|juni|jula?|juli|avgusta?|septemb(?:a?r|ra)|oktob(?:a?r|ra)|novemb(?:a?r|ra)|decemb(?:a?r|ra)|` +
	`јануара?|фебруара?|марта?|априла?|маја?|јуна?|јула?|августа?|септемб(?:а?р|ра)|октоб(?:а?р|ра)|новемб(?:а?р|ра)|децемб(?:а?р|ра)` +
	`)`

// Street addresses, the street's name with its house number:
// "Rruga Nëna Terezë nr. 5", "Rr. e Durrësit 12", "Bulevardi Bill Clinton",
// "Ulica Kralja Petra I 12", "ул. Кнеза Милоша 5", "Str. Agim Ramadani 15",
// "12 Main Street", "Main Street 12". A street keyword needs a capitalised
// name after it ("rruga për në stadium" is a road, not an address); an
// English "... Street" needs a house number, or "St." would take saints.
// Squares ("sheshi Skënderbeu") are left: they are where events happen,
// not where citizens live.
var (
	// \b is ASCII-only, so the Cyrillic keywords go without it.
	// Anchored: maskStreets tries it only at words that can start a
	// keyword.
	streetKeywordPattern = regexp.MustCompile(`^(?:(?i:(?:rruga|rrugës|rrugën|rr\.|bulevardi|bulevardin|bul\.|blv\.|str\.|ulica|ulici|ulicu|ul\.|bulevar|улица|улици|улицу|ул\.|булевар|бул\.)\s*)` +
		`(?:["'“„«]\s*)?` + streetName + `(?:\s*["'”“»])?` + houseNumber + `?` +
		// Serbian writes a street's title in small letters ("ul. kralja
		// Petra I 12", "улица војводе Путника 5"); with its house number,
		// since a small word after "ulica" may be anything.
		`|(?i:(?:ulica|ulici|ulicu|ul\.|bulevar|улица|улици|улицу|ул\.|булевар|бул\.)\s*)\p{Ll}[\p{L}'’.\-]*\s+` + streetName + houseNumber + `)`)
	englishStreetPattern = regexp.MustCompile(`\b\d{1,4}[A-Za-z]?\s+` + streetName + `\s+` + englishStreet + `|` +
		streetName + `\s+` + englishStreet + houseNumber)
)

const (
	// One to four capitalised words, joined by the small words street
	// names carry: "e Durrësit", "Nëna Terezë", "Kralja Petra I".
	streetName = `(?:(?:e|i|së|të|of|the)\s+)?\p{Lu}[\p{L}'’.\-]*(?:\s+(?:(?:e|i|së|të|of|the)\s+)?\p{Lu}[\p{L}'’.\-]*){0,3}`
	// ", nr. 5", " no. 12A", " br. 3/4", " 15".
	houseNumber   = `(?:,?\s*(?:(?i:nr|no|br|бр|numër|number)\.?\s*)?\d{1,4}[A-Za-z]?(?:/\d{1,4})?\b)`
	englishStreet = `(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Boulevard|Blvd\.|Lane)`
)

// phoneRunPattern finds runs of digit groups joined by at most one separator,
// optionally with parentheses around a group: "+383 (0)44 123-456",
// "044/123-456", "(038) 200 20 000", "044.123.456". What a run is — a phone,
// a personal or account number, or nothing to mask — is decided by
// numberMask, because a regexp cannot count digits.
// It is anchored: maskNumbers tries it only where a run can start.
var phoneRunPattern = regexp.MustCompile(`^\+?\(?\d+(?:\)?[ \-/.]?\(?\d+)*\)?`)

// Redact masks personal data in text, so that an external model never sees
// who the citizen is or how to reach them: email addresses, also written
// out ("name dot surname at gmail dot com"); phone numbers; personal
// numbers (Kosovo's ten digits, Serbia's thirteen); IBANs of any country
// and 16-digit account or card numbers; dates with a day, month and year;
// street addresses. Years, amounts, law and ticket numbers are left alone:
// they matter to the classification.
func Redact(text string) string {
	if text == "" {
		return text
	}
	text = maskEmails(text)
	text = maskObfuscatedEmails(text)
	if hasIBANStart(text) {
		text = ibanPattern.ReplaceAllStringFunc(text, func(s string) string {
			if isIBAN(s) {
				return ibanMask
			}
			return s
		})
	}
	if hasNumericDate(text) {
		text = dmyPattern.ReplaceAllStringFunc(text, maskValidDMY)
		text = ymdPattern.ReplaceAllStringFunc(text, maskValidYMD)
	}
	text = maskWrittenDates(text)
	text = maskStreets(text)
	if hasEnglishStreet(text) {
		text = englishStreetPattern.ReplaceAllString(text, addressMask)
	}
	return maskNumbers(text)
}

// The slow patterns run only where they can match: the email pattern from
// the start of the word before each "@", the written-out one in a window
// around each spelled "at", the street pattern at words that can start a
// street keyword. The regexp package has no literal to skip ahead by in
// these patterns, and would otherwise try them at every byte.

func maskEmails(text string) string {
	var out strings.Builder
	last := 0
	for i := strings.IndexByte(text, '@'); i >= 0; {
		start := i
		for start > last {
			r, size := utf8.DecodeLastRuneInString(text[:start])
			if !isLocalRune(r) {
				break
			}
			start -= size
		}
		next := i + 1
		if loc := emailPattern.FindStringIndex(text[start:]); loc != nil {
			out.WriteString(text[last:start])
			out.WriteString(emailMask)
			last = start + loc[1]
			next = last
		}
		j := strings.IndexByte(text[next:], '@')
		if j < 0 {
			break
		}
		i = next + j
	}
	return finish(&out, text, last)
}

func isLocalRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._%+-", r)
}

// obfuscatedReach is how far an address may reach before or after its
// spelled "at".
const obfuscatedReach = 120

func maskObfuscatedEmails(text string) string {
	var out strings.Builder
	last := 0
	for _, at := range spelledAts(text) {
		if at < last {
			continue
		}
		from := max(last, at-obfuscatedReach)
		for from < at && !utf8.RuneStart(text[from]) {
			from++
		}
		to := min(len(text), at+obfuscatedReach)
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		for _, loc := range obfuscatedEmailPattern.FindAllStringIndex(text[from:to], -1) {
			start, end := from+loc[0], from+loc[1]
			if start > at || end <= at {
				continue
			}
			// The top-level label must end its word (\b is ASCII-only).
			if r, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				continue
			}
			out.WriteString(text[last:start])
			out.WriteString(emailMask)
			last = end
			break
		}
	}
	return finish(&out, text, last)
}

// spelledAts returns where an "at" is spelled out: " at ", " et ", " @ ",
// or "at"/"et" right inside a bracket.
func spelledAts(text string) []int {
	var ats []int
	for i := 0; i+2 < len(text); i++ {
		switch c := text[i]; c {
		case ' ':
			w := text[i+1:]
			if len(w) >= 3 && (hasPrefixFold(w, "at ") || hasPrefixFold(w, "et ")) || strings.HasPrefix(w, "@ ") {
				ats = append(ats, i+1)
			}
		case '[', '(', '{':
			w := strings.TrimLeft(text[i+1:], " ")
			if hasPrefixFold(w, "at") || hasPrefixFold(w, "et") {
				ats = append(ats, i)
			}
		}
	}
	return ats
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func maskStreets(text string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if mayStartStreet(r) && wordStart(text, i) && startsStreetKeyword(text[i:]) {
			if loc := streetKeywordPattern.FindStringIndex(text[i:]); loc != nil {
				out.WriteString(text[last:i])
				out.WriteString(addressMask)
				last = i + loc[1]
				i = last
				continue
			}
		}
		i += size
	}
	return finish(&out, text, last)
}

// streetKeywords are the keywords of streetKeywordPattern, or their
// beginnings, for a cheap test before it.
var streetKeywords = [...]string{"rrug", "rr.", "bul", "blv.", "str.", "ulic", "ul.", "улиц", "ул.", "булевар", "бул."}

func startsStreetKeyword(s string) bool {
	for _, k := range streetKeywords {
		if hasPrefixFold(s, k) {
			return true
		}
	}
	return false
}

// mayStartStreet reports the first letters of the street keywords.
func mayStartStreet(r rune) bool {
	switch unicode.ToLower(r) {
	case 'r', 'b', 's', 'u', 'у', 'б':
		return true
	}
	return false
}

func wordStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func hasEnglishStreet(text string) bool {
	for _, w := range []string{"Street", "St.", "Road", "Rd.", "Avenue", "Ave.", "Boulevard", "Blvd.", "Lane"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// finish completes a masked copy of text whose unmasked tail starts at
// last; with nothing masked it returns text itself.
func finish(out *strings.Builder, text string, last int) string {
	if last == 0 {
		return text
	}
	out.WriteString(text[last:])
	return out.String()
}

// isIBAN checks the length an IBAN can have (15 to 34 characters) and that
// its account part is mostly digits, so prose like "AB12 THIS WORD" stays.
// The checksum is not checked: an IBAN with a typo is still personal.
func isIBAN(s string) bool {
	n, digits := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '-' {
			continue
		}
		n++
		if i >= 4 && c >= '0' && c <= '9' {
			digits++
		}
	}
	return n >= 15 && n <= 34 && digits >= 8
}

// maskWrittenDates masks the written dates that end in each standalone
// four-digit number.
func maskWrittenDates(text string) string {
	var out strings.Builder
	last := 0
	for i := 0; i+4 <= len(text); i++ {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			continue
		}
		end := i
		for end < len(text) && isDigit(text[end]) {
			end++
		}
		if end-i != 4 {
			i = end
			continue
		}
		from := max(last, i-writtenDateReach)
		for from < i && !utf8.RuneStart(text[from]) {
			from++
		}
		if !hasMonthStem(text[from:i]) {
			i = end
			continue
		}
		if loc := writtenDatePattern.FindStringIndex(text[from:end]); loc != nil {
			out.WriteString(text[last : from+loc[0]])
			out.WriteString(dateMask)
			last = end
		}
		i = end
	}
	return finish(&out, text, last)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// monthStems are the first three letters of every month name in
// monthNames, lower case; a window with no word starting with one holds no
// written date.
var monthStems = map[string]bool{
	"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "oct": true, "nov": true, "dec": true,
	"shk": true, "pri": true, "maj": true, "qer": true, "kor": true, "gus": true,
	"sht": true, "tet": true, "nën": true, "nen": true, "dhj": true, "avg": true, "okt": true,
	"јан": true, "феб": true, "мар": true, "апр": true, "мај": true, "јун": true,
	"јул": true, "авг": true, "сеп": true, "окт": true, "нов": true, "дец": true,
}

func hasMonthStem(window string) bool {
	var buf [12]byte
	for i := 0; i < len(window); {
		r, size := utf8.DecodeRuneInString(window[i:])
		if !unicode.IsLetter(r) || !wordStart(window, i) {
			i += size
			continue
		}
		stem := buf[:0]
		j := i
		for n := 0; n < 3 && j < len(window); n++ {
			r, size := utf8.DecodeRuneInString(window[j:])
			stem = utf8.AppendRune(stem, unicode.ToLower(r))
			j += size
		}
		if monthStems[string(stem)] {
			return true
		}
		i = j
	}
	return false
}

// hasNumericDate reports whether text has digits, a separator, digits and
// a separator again ("1.3.", "2026-03-"), without which neither numeric
// date pattern can match.
func hasNumericDate(text string) bool {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) {
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		if j+1 < len(text) && strings.IndexByte("./-", text[j]) >= 0 {
			k := j + 1
			for k < len(text) && text[k] == ' ' {
				k++
			}
			m := k
			for m < len(text) && isDigit(text[m]) {
				m++
			}
			if m > k && m < len(text) && text[m] == text[j] {
				return true
			}
		}
		i = j
	}
	return false
}

// hasIBANStart reports whether text has two ASCII letters and two digits
// in a row, as every IBAN starts.
func hasIBANStart(text string) bool {
	for i := 0; i+4 <= len(text); i++ {
		if isASCIILetter(text[i]) && isASCIILetter(text[i+1]) && isDigit(text[i+2]) && isDigit(text[i+3]) {
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func maskValidDMY(s string) string {
	parts := numberFields(s)
	if len(parts) == 3 && validDay(parts[0], parts[1]) {
		return dateMask
	}
	return s
}

func maskValidYMD(s string) string {
	parts := numberFields(s)
	if len(parts) == 3 && parts[0] >= 1900 && parts[0] <= 2100 && validDay(parts[2], parts[1]) {
		return dateMask
	}
	return s
}

func validDay(day, month int) bool { return day >= 1 && day <= 31 && month >= 1 && month <= 12 }

// numberFields returns the numbers in s ("01.03.1990" gives 1, 3, 1990).
func numberFields(s string) []int {
	var out []int
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			n, in = n*10+int(c-'0'), true
			continue
		}
		if in {
			out = append(out, n)
		}
		n, in = 0, false
	}
	if in {
		out = append(out, n)
	}
	return out
}

// maskNumbers masks the digit runs that are phone, personal or account
// numbers.
func maskNumbers(text string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; !isDigit(c) && c != '+' && c != '(' {
			continue
		}
		loc := phoneRunPattern.FindStringIndex(text[i:])
		if loc == nil {
			continue
		}
		start, end := i, i+loc[1]
		i = end - 1
		run := text[start:end]
		// A closing parenthesis belongs to the number only if it opened in it.
		if strings.HasSuffix(run, ")") && strings.Count(run, "(") < strings.Count(run, ")") {
			end--
			run = run[:len(run)-1]
		}
		if !standsAlone(text, start, end) {
			continue
		}
		if mask := numberMask(run); mask != "" {
			out.WriteString(text[last:start])
			out.WriteString(mask)
			last = end
			continue
		}
		// A number written next to another one joins it in a run
		// ("1234567890 2026"): look at each unbroken group on its own.
		for _, g := range groupSpans(run) {
			if g[0] == 0 && g[1] == len(run) {
				break // the run is one group: already decided
			}
			if mask := numberMask(run[g[0]:g[1]]); mask != "" {
				out.WriteString(text[last : start+g[0]])
				out.WriteString(mask)
				last = start + g[1]
			}
		}
	}
	return finish(&out, text, last)
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

// numberMask says what a run of digit groups is, as its mask, or "" when
// it is to stay (a year, an amount, a reference).
func numberMask(run string) string {
	if isPhone(run) {
		return phoneMask
	}
	// Personal and account numbers are written in one piece or in groups
	// split by spaces or dashes; dots and slashes make amounts
	// ("1.234.567.890") and references ("2026/1234").
	if strings.ContainsAny(run, "+()./") {
		return ""
	}
	groups, digits := digitGroups(run)
	if len(groups) > 1 && allYears(groups) {
		return "" // "2018 2019 2020 2021"
	}
	switch {
	case digits == 10 && run[0] != '0':
		return personalMask // Kosovo: "1234567890", "1 234 567 890"
	case digits == 13:
		return personalMask // Serbia's JMBG, which Serbian-speaking citizens still quote
	case digits == 16:
		return accountMask // a Kosovo bank account or a card: "1212 0123 4567 8906"
	}
	return ""
}

func allYears(groups []string) bool {
	for _, g := range groups {
		if len(g) != 4 || (g[:2] != "19" && g[:2] != "20") {
			return false
		}
	}
	return true
}

// isPhone decides whether a run of digit groups is a phone number:
//   - international: "+" or "00" then a country code, 8 to 15 digits;
//   - domestic (Kosovo, and the Serbian numbers citizens also write): a
//     trunk "0", a two- or three-digit area or mobile code, 9 to 11 digits
//     (more when several are written in a row). Dotted runs are phones only
//     when led by a three- or four-digit code ("044.123.456"); otherwise
//     they are dates or amounts ("01.02.2026").
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
		if digits < 9 {
			return false
		}
		if strings.Contains(run, ".") {
			return len(groups[0]) >= 3 && len(groups[0]) <= 4 && digits <= 11
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

// groupSpans returns the byte spans of the digit groups in run.
func groupSpans(run string) [][2]int {
	var spans [][2]int
	start := -1
	for i := 0; i <= len(run); i++ {
		if i < len(run) && run[i] >= '0' && run[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	return spans
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
