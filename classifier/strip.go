package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// StripQuotedAndSignature keeps the citizen's own words of a message: it
// drops quoted replies ("> " lines and the "On … wrote:" line that introduces
// them, in English, Albanian, Serbian and German), forwarded or Outlook-style
// original messages, the "-- " signature and everything under it, "Sent from
// my iPhone"-style lines, and a short name-and-title block that follows a
// closing such as "Kind regards,". Quoted text belongs to someone else (often
// the ministry itself) and would drag the category and language towards it.
// When stripping would leave nothing, the text is returned trimmed instead.
func StripQuotedAndSignature(text string) string {
	if own := ownWords(text); own != "" {
		return own
	}
	return strings.TrimSpace(text)
}

// ownWords is StripQuotedAndSignature without its fallback: "" when
// nothing of the sender's own is left (a footer alone, a bare quote).
func ownWords(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")

	kept := make([]string, 0, len(lines))
scan:
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, ">") {
			continue
		}
		// Lowered once: the tests below all ignore case.
		lower := strings.ToLower(line)
		switch {
		case isSignatureDelimiter(lines[i]), isMobileFooter(lower), isOriginalMessageMarker(lower):
			break scan
		case isHeaderBlockStart(lines, i, lower):
			break scan
		case isReplyHeader(lower):
			// A header wrapped over two lines ("On Tue, … <a@b>" / "wrote:")
			// leaves its first half among the kept lines.
			if n := len(kept); n > 0 && isReplyHeaderStart(kept[n-1]) && !isReplyHeaderStart(line) {
				kept = kept[:n-1]
			}
			// Bottom-posted replies carry on after the quoted block; an
			// unquoted block after the header is the quoted mail itself.
			if !nextContentIsQuoted(lines, i+1) {
				break scan
			}
			continue
		}
		kept = append(kept, lines[i])
	}
	kept = dropClosingBlock(kept)

	return strings.TrimSpace(strings.Join(kept, "\n"))
}

// isSignatureDelimiter matches the conventional "-- " line (RFC 3676), and
// "--" for mailers that trim the trailing space.
func isSignatureDelimiter(raw string) bool {
	raw = strings.TrimRight(raw, "\r")
	return raw == "-- " || raw == "--" || raw == "—"
}

var mobileFooterPrefixes = []string{
	"sent from my ", "sent from outlook", "sent from mail for", "sent from yahoo",
	"sent from samsung", "sent from the ", "sent via ", "get outlook for",
	"dërguar nga ", "derguar nga ", "dërguar prej ", "derguar prej ",
	"poslato sa ", "poslato iz ", "poslano sa ", "poslano iz ", "šalje se sa ",
	"послато са ", "послато из ", "послано са ",
	"von meinem ", "gesendet von ",
}

// isMobileFooter matches a trimmed line in lower case.
func isMobileFooter(lower string) bool {
	for _, p := range mobileFooterPrefixes {
		if strings.HasPrefix(lower, p) {
			return len(lower) < 80
		}
	}
	return false
}

// isOriginalMessageMarker matches a trimmed line in lower case.
func isOriginalMessageMarker(lower string) bool {
	l := strings.Trim(lower, " -_*")
	if lower != "" && strings.Trim(lower, "_") == "" && utf8.RuneCountInString(lower) >= 10 {
		return true // Outlook's horizontal rule before the quoted header
	}
	switch l {
	case "original message", "mesazhi origjinal", "mesazhi i origjinalit",
		"originalna poruka", "originalna poruka:", "оригинална порука",
		"forwarded message", "mesazhi i përcjellë", "mesazhi i percjelle",
		"prosleđena poruka", "prosledjena poruka", "прослеђена порука",
		"ursprüngliche nachricht":
		return true
	}
	return false
}

var headerFromPrefixes = []string{"from:", "nga:", "od:", "од:", "von:", "prej:"}

// headerDatePrefixes name a quoted header's date line. "To:" and its kin
// do not count: a formal letter pasted into a mail opens with "Nga: … /
// Për: … / Lënda: …" too, and is the writer's own words; a mail client's
// quoted header always carries the date it was sent.
var headerDatePrefixes = []string{"sent:", "date:", "dërguar:", "derguar:", "data:", "datë:", "poslato:", "poslano:", "datum:", "послато:", "датум:", "gesendet:"}

// isHeaderBlockStart recognises a quoted mail header pasted without ">"
// ("From: …" followed shortly by "Sent: …" or "Date: …"); lower is
// lines[i] trimmed and in lower case.
func isHeaderBlockStart(lines []string, i int, lower string) bool {
	if !hasAnyPrefix(lower, headerFromPrefixes) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if hasAnyPrefix(strings.ToLower(strings.TrimSpace(lines[j])), headerDatePrefixes) {
			return true
		}
	}
	return false
}

var replyVerbs = []string{
	"wrote:", "writes:", "shkroi:", "shkruajti:", "ka shkruar:", "shkruan:",
	"napisao:", "napisala:", "napisao/la:", "je napisao:", "je napisala:", "piše:", "pise:",
	"napisao je:", "napisala je:", "napisao/la je:",
	"написао:", "написала:", "написао/ла:", "пише:", "schrieb:", "a écrit :", "a écrit:",
}

// isReplyHeader matches the line that introduces a quoted reply, e.g.
// "On Tue, 14 Apr 2026 at 10:12, X <x@y> wrote:", "Më 14 prill 2026, X
// shkroi:", "Dana 14.04.2026. X je napisao:". lower is the line trimmed and
// in lower case.
func isReplyHeader(lower string) bool {
	if len(lower) > 300 {
		return false
	}
	for _, v := range replyVerbs {
		if strings.HasSuffix(lower, v) {
			return true
		}
	}
	return false
}

var replyHeaderStarts = []string{"on ", "më ", "me ", "më,", "dana ", "дана ", "am ", "le ", "em "}

// isReplyHeaderStart matches the first half of a reply header that a mailer
// wrapped before "wrote:".
func isReplyHeaderStart(line string) bool {
	l := strings.ToLower(strings.TrimSpace(line))
	return hasAnyPrefix(l, replyHeaderStarts) && (strings.Contains(l, "@") || strings.ContainsAny(l, "0123456789"))
}

func nextContentIsQuoted(lines []string, from int) bool {
	for j := from; j < len(lines); j++ {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			continue
		}
		return strings.HasPrefix(l, ">")
	}
	return true
}

var closings = map[string]bool{
	"regards": true, "kind regards": true, "best regards": true, "warm regards": true,
	"best": true, "best wishes": true, "cheers": true, "sincerely": true, "yours sincerely": true,
	"yours faithfully": true, "respectfully": true, "with respect": true, "many thanks": true,
	"thanks": true, "thank you": true, "thx": true, "all the best": true,
	"me respekt": true, "me nderim": true, "me konsiderata": true, "sinqerisht": true,
	"pershendetje": true, "përshëndetje": true, "faleminderit": true, "me shume respekt": true,
	"me shumë respekt": true, "gjithe te mirat": true, "gjithë të mirat": true,
	"s postovanjem": true, "s poštovanjem": true, "sa postovanjem": true, "sa poštovanjem": true,
	"srdacan pozdrav": true, "srdačan pozdrav": true, "pozdrav": true, "pozdravi": true,
	"srdacno": true, "srdačno": true, "hvala": true, "unapred hvala": true, "unapred zahvalni": true,
	"с поштовањем": true, "са поштовањем": true, "срдачан поздрав": true, "поздрав": true,
	"хвала": true, "срдачно": true, "унапред хвала": true,
}

// dropClosingBlock removes a closing ("Kind regards,") and the name, title
// and phone lines under it, but only when what follows is short enough to be
// a signature, so that a "Thanks," opening a real paragraph survives.
func dropClosingBlock(lines []string) []string {
	end := len(lines)
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	for i := end - 1; i >= 0 && i >= end-8; i-- {
		l := strings.ToLower(strings.TrimSpace(lines[i]))
		l = strings.TrimRight(l, ",.!:; ")
		if !closings[l] {
			continue
		}
		short := true
		for _, after := range lines[i+1 : end] {
			if utf8.RuneCountInString(strings.TrimSpace(after)) > 60 {
				short = false
				break
			}
		}
		if !short || !hasContent(lines[:i]) {
			return lines[:end]
		}
		return lines[:i]
	}
	return lines[:end]
}

func hasContent(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return true
		}
	}
	return false
}

// hasLowerPrefix reports whether strings.ToLower(s) starts with prefix, a
// string in lower case, without lowering (and copying) all of s.
func hasLowerPrefix(s, prefix string) bool {
	for _, p := range prefix {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || unicode.ToLower(r) != p {
			return false
		}
		s = s[size:]
	}
	return true
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
