package desk

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// OfficerAnswer returns what an officer wrote in a reply to a notification:
// the reply without the quoted notification and without the attribution
// and header lines mail clients put above quoted mail, wherever they are.
// Text above, between and below them stays, and so does a quotation the
// officer made on purpose (a law article after "> "): only lines found in
// sent, the texts Sportel sent the officer, count as the notification.
//
// Lines are compared with their quote markers and spacing dropped, as
// words within the sent texts, so a notification quoted with "> ", or in
// an HTML blockquote (which the parser renders without markers), or
// rewrapped by the client, is still recognised.
func OfficerAnswer(reply string, sent ...string) string {
	own, _ := officerAnswer(reply, sent)
	return own
}

// officerAnswer is OfficerAnswer, and the command lines below the start of
// the quote that were taken for it as lines of what Sportel sent, where
// the officer may have typed them (see dropQuotedCommands), as written:
// the officer is told they were not done.
func officerAnswer(reply string, sent []string) (string, []string) {
	lines, drop := answerLines(reply, sent)
	var quotedCmds []string
	for i, l := range lines {
		if drop[i] && l.quotedCmd {
			quotedCmds = append(quotedCmds, strings.TrimSpace(l.raw))
		}
	}
	var b strings.Builder
	blank := false
	for i, l := range lines {
		if drop[i] {
			continue
		}
		if strings.TrimSpace(l.raw) == "" || (l.depth > 0 && l.body == "") {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		b.WriteString(l.raw)
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String()), quotedCmds
}

// answerLines is OfficerAnswer's work: the reply's lines, and which of
// them are quoted history (drop).
func answerLines(reply string, sent []string) ([]replyLine, []bool) {
	lines := splitReply(reply)
	k := knownWords(sent)
	matched := make([]bool, len(lines))
	for i, l := range lines {
		matched[i] = l.body != "" && k.has(l.body)
	}
	// drop marks quoted history: first what the client wrote above quoted
	// mail (attribution, headers, separators), then the notification.
	drop := make([]bool, len(lines))
	for i := 0; i < len(lines); i++ {
		n := attributionLines(lines, i)
		if n == 0 {
			n = headerBlock(lines, i)
		}
		if n == 0 && separator.MatchString(lines[i].body) {
			n = 1
		}
		// Only above the quoted notification is it the client's: an
		// officer's "Më 12 mars ministri shkroi:" above their own
		// quotation, or a letter's "Për:/Nga:/Tema:" heading, stays.
		if n > 0 && introducesHistory(lines, matched, i+n) {
			for j := i; j < i+n; j++ {
				drop[j], matched[j] = true, false
			}
			i += n - 1
		}
	}
	dropQuotedNotification(lines, drop, matched)
	dropUnquotedNotification(lines, k, drop, matched)
	dropQuotedCommands(lines, k, drop, matched)
	return lines, drop
}

// replyLine is one line of a reply with its quoting taken apart.
type replyLine struct {
	raw   string
	depth int    // how many ">" quote it
	body  string // the text without quote markers, spaces collapsed
	// quotedCmd marks a command line dropped as the quote's that the
	// officer may have typed (dropQuotedCommands).
	quotedCmd bool
}

func splitReply(text string) []replyLine {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	raw := strings.Split(text, "\n")
	lines := make([]replyLine, len(raw))
	for i, r := range raw {
		rest, depth := r, 0
		for {
			t := strings.TrimLeft(rest, " \t")
			if !strings.HasPrefix(t, ">") {
				break
			}
			rest, depth = t[1:], depth+1
		}
		lines[i] = replyLine{raw: r, depth: depth, body: collapse(rest)}
	}
	return lines
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// visibleFields is s's words as a reader sees them, read as parseCommand
// reads a command: a client may keep or drop invisible characters when it
// quotes, and a line of the sent text is the same line either way. So may
// it make links of addresses and URLs, and write their targets after them
// (withoutLinkTargets).
func visibleFields(s string) []string {
	return withoutLinkTargets(strings.Fields(strings.Map(invisible, s)))
}

// gluedTarget is a link's target as Outlook's plain text writes it, glued
// to the link's text: "www.a-ks.org<http://www.a-ks.org>",
// "<arben@example.net<mailto:arben@example.net>>". linkTarget is one
// written as a word after it: the parser's rendering of an HTML link
// "arben@example.net (mailto:arben@example.net)", Gmail's plain text
// "www.a-ks.org <http://www.a-ks.org>".
var (
	gluedTarget = regexp.MustCompile(`(?i)<(?:https?://|mailto:)[^<>\s]*>`)
	linkTarget  = regexp.MustCompile(`(?i)^[(<](?:https?://|mailto:)([^()<>\s]*)[)>][.,;:!?]*$`)
)

// withoutLinkTargets drops from ws the targets a client wrote after links
// it made when quoting, so that a quoted line of what Sportel sent reads
// as it was sent. A target written as a word is dropped only after the
// word it links.
func withoutLinkTargets(ws []string) []string {
	out := ws[:0]
	for _, w := range ws {
		if strings.Contains(w, "<") && gluedTarget.MatchString(w) {
			if t := gluedTarget.ReplaceAllString(w, ""); t != "" {
				w = t
			}
		}
		if len(out) == 0 || w[0] != '(' && w[0] != '<' {
			out = append(out, w)
			continue
		}
		if m := linkTarget.FindStringSubmatch(w); m != nil {
			shown := strings.ToLower(strings.Trim(out[len(out)-1], `<>()"'.,;:!?`))
			if shown != "" && strings.Contains(strings.ToLower(m[1]), shown) {
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// known is the words of the sent texts in order, each text ended by ""
// (which no line has), indexed by word and by pair of words, so finding a
// line looks only where its rarest pair is.
type known struct {
	words []string
	at    map[string][]int // word, or "word word", to where it starts
}

func knownWords(sent []string) known {
	k := known{at: make(map[string][]int)}
	for _, s := range sent {
		// Quote markers inside a sent text (a citizen's quotation in the
		// notification) are dropped the same way as in the reply.
		for _, l := range splitReply(s) {
			k.words = append(k.words, visibleFields(l.body)...)
		}
		k.words = append(k.words, "") // no match runs from one text into the next
	}
	for i, w := range k.words {
		if w == "" {
			continue
		}
		k.at[w] = append(k.at[w], i)
		if i+1 < len(k.words) && k.words[i+1] != "" {
			pair := w + " " + k.words[i+1]
			k.at[pair] = append(k.at[pair], i)
		}
	}
	return k
}

// has reports whether line, spaces collapsed, is a run of words in k.
func (k known) has(line string) bool {
	ws := visibleFields(line)
	if len(ws) == 0 {
		return false
	}
	starts, offset := k.at[ws[0]], 0
	for i := 0; i+1 < len(ws); i++ {
		at, ok := k.at[ws[i]+" "+ws[i+1]]
		if !ok {
			return false
		}
		if i == 0 || len(at) < len(starts) {
			starts, offset = at, i
		}
	}
	for _, p := range starts {
		p -= offset
		if p >= 0 && p+len(ws) <= len(k.words) && slices.Equal(k.words[p:p+len(ws)], ws) {
			return true
		}
	}
	return false
}

// introducesHistory reports whether what follows line i (blank lines
// skipped) is quoted history: the notification, quoted or not, a quoted
// block holding part of it, more client lines, or nothing at all.
func introducesHistory(lines []replyLine, matched []bool, i int) bool {
	for i < len(lines) && lines[i].body == "" {
		i++
	}
	if i == len(lines) {
		return true
	}
	if matched[i] || attributionLines(lines, i) > 0 || headerBlock(lines, i) > 0 || separator.MatchString(lines[i].body) {
		return true
	}
	for j := i; lines[i].depth > 0 && j < len(lines) && lines[j].depth > 0; j++ {
		if matched[j] {
			return true
		}
	}
	return false
}

// dropQuotedNotification drops quoted lines found in the notification,
// quoted lines between two of them in one quoted block (a notification
// line Sportel wrote differently back then), and the whole of a quoted
// block with notification lines that follows an attribution or quoted
// history. Other quoted lines are the officer's own quotation.
func dropQuotedNotification(lines []replyLine, drop, matched []bool) {
	for start := 0; start < len(lines); {
		if lines[start].depth == 0 {
			start++
			continue
		}
		end := start
		for end < len(lines) && lines[end].depth > 0 {
			end++
		}
		first, last := -1, -1
		for i := start; i < end; i++ {
			if matched[i] {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first >= 0 && afterHistory(lines, drop, start) {
			// The quoted mail under an attribution, all of it.
			first, last = start, end-1
		}
		for i := first; first >= 0 && i <= last; i++ {
			drop[i] = true
		}
		start = end
	}
}

// dropUnquotedNotification drops the notification where it is not quoted
// with ">" (an HTML reply's blockquote, Outlook's plain text): runs of
// lines that continue one another in the notification, when such a run
// comes straight under an unquoted attribution or header block, or is two
// lines or more. The officer's own lines that happen to be in the
// notification stay: a closing, a name, a greeting under a quoted
// notification or after the end of an unquoted one.
func dropUnquotedNotification(lines []replyLine, k known, drop, matched []bool) {
	for i := 0; i < len(lines); {
		if !matched[i] || lines[i].depth > 0 {
			i++
			continue
		}
		underHistory := afterHistory(lines, drop, i) && lines[prevNonBlank(lines, i)].depth == 0
		for i < len(lines) && matched[i] && lines[i].depth == 0 {
			// The longest run from i that is one stretch of the notification.
			run := []string{lines[i].body}
			end := i + 1
			for j := i + 1; j < len(lines) && lines[j].depth == 0 && (matched[j] || lines[j].body == ""); j++ {
				if lines[j].body == "" {
					continue
				}
				if !k.has(strings.Join(append(run, lines[j].body), " ")) {
					break
				}
				run = append(run, lines[j].body)
				end = j + 1
			}
			if underHistory || len(run) >= 2 {
				for j := i; j < end; j++ {
					drop[j] = true
				}
			}
			underHistory = false
			i = end
			for i < len(lines) && lines[i].body == "" && lines[i].depth == 0 {
				i++
			}
		}
	}
}

// dropQuotedCommands drops, below the start of the quoted history, a
// command line that is a line of what Sportel sent (a citizen's request
// holding "#close withdrawn"). dropUnquotedNotification keeps a lone
// matched line that no dropped line leads into, and clients rewrite
// quoted lines around it (Gmail and Outlook turn a URL into a link,
// rendered "url (url)" or "url<url>"), so such a line would otherwise run
// as the officer's command. An officer who writes below the quote a
// command that is word for word a line of the citizen's loses it, since
// nothing written by someone else may act as the officer; unless the line
// sits in the quote where the citizen wrote it (the line before it there
// is the one before it in what was sent, rewritten or not), it is marked
// so that the officer is told. A citizen's message holds command lines
// rarely, so ordinary mail never says so.
func dropQuotedCommands(lines []replyLine, k known, drop, matched []bool) {
	quoted := false
	for i, l := range lines {
		if drop[i] {
			quoted = true
			continue
		}
		if quoted && matched[i] && l.depth == 0 {
			if _, ok := parseCommand(l.raw); ok {
				drop[i] = true
				p := prevNonBlank(lines, i)
				lines[i].quotedCmd = p < 0 || !k.follows(lines[p].body, l.body)
			}
		}
	}
}

// follows reports whether prev, a line of the reply, reads as the line
// before line in a sent text: a word of it starts with the word before
// line there ("www.a-ks.org<http://www.a-ks.org>" for "www.a-ks.org").
func (k known) follows(prev, line string) bool {
	ws := visibleFields(line)
	if len(ws) == 0 {
		return false
	}
	for _, p := range k.at[ws[0]] {
		if p == 0 || k.words[p-1] == "" || p+len(ws) > len(k.words) || !slices.Equal(k.words[p:p+len(ws)], ws) {
			continue
		}
		for _, w := range visibleFields(prev) {
			if strings.HasPrefix(w, k.words[p-1]) {
				return true
			}
		}
	}
	return false
}

// prevNonBlank returns the index of the nearest non-blank line before i,
// or -1.
func prevNonBlank(lines []replyLine, i int) int {
	for j := i - 1; j >= 0; j-- {
		if lines[j].body != "" {
			return j
		}
	}
	return -1
}

// afterHistory reports whether the nearest non-blank line before i was
// dropped as quoted history.
func afterHistory(lines []replyLine, drop []bool, i int) bool {
	j := prevNonBlank(lines, i)
	return j >= 0 && drop[j]
}

// attribution matches the line a mail client writes above quoted mail, in
// the languages officers use: mutt, Thunderbird, Gmail and Apple Mail
// ("On … wrote:"), Albanian ("Më … shkroi:"), Serbian in both scripts
// ("Dana … je napisao/la:", "… је написао:"), German, and the classic
// mutt "* Name <address> [date]:".
var attribution = regexp.MustCompile(`(?i)^(` +
	`on .+ wrote:` +
	`|(më|me) .+ shkroi:` +
	`|.+ (ka )?shkruar:` +
	`|.+ (je|је) (napisao|napisala|napisa|написао|написала|написа)(/(la|ла))?:` +
	`|.+ (написао|написала)(/ла)?:` +
	`|am .+ schrieb .+:` +
	`|\* .+ \[.+\]:` +
	`|.+ wrote:` +
	`|.+ shkroi:` +
	`)$`)

// attributionStart is the first half of an attribution a client wrapped
// over two or three lines (Gmail does, at the sender's address).
var attributionStart = regexp.MustCompile(`(?i)^(on|më|me|dana|am) `)

// attributionClock is the time of day that Gmail writes in the first half
// of its attribution in every language, where the Serbian ones start with
// the day ("sre, 25. nov 2026. u 11:00 …"), no word attributionStart knows.
var attributionClock = regexp.MustCompile(`\b\d{1,2}:\d{2}\b`)

// attributionLines returns how many lines from i make an attribution, 0
// when none does. A line that merely ends in "wrote:" must name an address
// or a time to count, so an officer's "The law says what the minister
// wrote:" stays.
func attributionLines(lines []replyLine, i int) int {
	joined := ""
	for n := 1; n <= 3 && i+n <= len(lines); n++ {
		l := lines[i+n-1]
		if l.body == "" {
			return 0
		}
		if n > 1 && l.depth != lines[i].depth && l.depth != 0 {
			return 0
		}
		joined = strings.TrimSpace(joined + " " + l.body)
		if attribution.MatchString(joined) && plausibleAttribution(joined) {
			return n
		}
		if !attributionStart.MatchString(lines[i].body) && !attributionClock.MatchString(lines[i].body) || utf8.RuneCountInString(joined) > 300 {
			return 0
		}
	}
	return 0
}

var attributionHint = regexp.MustCompile(`@|\d{1,2}[:.]\d{2}|\d{4}|<`)

func plausibleAttribution(s string) bool {
	return attributionStart.MatchString(s) || attributionHint.MatchString(s)
}

// separator matches the lines clients put between a reply and the mail it
// forwards or answers.
var separator = regexp.MustCompile(`(?i)^(-{2,} ?(original message|forwarded message|mesazhi origjinal|mesazh i përcjellë|originalna poruka|prosleđena poruka|оригинална порука|прослеђена порука|ursprüngliche nachricht) ?-{2,}|begin forwarded message:|fillimi i mesazhit të përcjellë:)$`)

// headerFrom and headerOther are the labels of the header block Outlook
// (and forwarding clients) write above quoted mail, in English, Albanian,
// Serbian (Latin and Cyrillic), Croatian (Šalje/Prima) and German.
var (
	headerFrom  = regexp.MustCompile(`(?i)^\*?(from|nga|od|од|šalje|salje|von):\*? `)
	headerOther = regexp.MustCompile(`(?i)^\*?(sent|date|to|cc|bcc|subject|reply-to|dërguar|derguar|data|për|per|kopje|tema|subjekti|poslato|poslano|datum|za|prima|predmet|kopija|послато|послано|датум|за|копија|предмет|тема|gesendet|an|betreff):\*?( |$)`)
	underline   = regexp.MustCompile(`^_{10,}$`)
)

// headerBlock returns how many lines from i make a header block: a "From:"
// line and at least one more header line, each perhaps wrapped once, and
// Outlook's underline above them. A lone "Nga: …" line in an answer is the
// officer's text.
func headerBlock(lines []replyLine, i int) int {
	start := i
	if underline.MatchString(lines[i].body) {
		i++
		for i < len(lines) && lines[i].body == "" {
			i++
		}
	}
	if i >= len(lines) || !headerFrom.MatchString(lines[i].body) {
		return 0
	}
	depth := lines[i].depth
	end, others := i+1, 0
	for end < len(lines) && lines[end].depth == depth {
		switch {
		case headerOther.MatchString(lines[end].body) || headerFrom.MatchString(lines[end].body):
			others++
			end++
			continue
		case lines[end].body != "" && end+1 < len(lines) && lines[end+1].depth == depth &&
			headerOther.MatchString(lines[end+1].body):
			// a wrapped value (a long To: list)
			end++
			continue
		}
		break
	}
	if others == 0 {
		return 0
	}
	return end - start
}
