package desk

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// The acknowledgement and the notification are composed in the store's
// write transaction, so the regular expressions and fmt calls they used are
// plain code now. These tests hold each piece to what it replaced, kept
// here as the reference, on inputs chosen for where they could differ:
// case folding beyond ASCII, spaces other than ' ', bytes that are not
// UTF-8, runs at either end.

// composeInputs are names, subjects and texts of every kind the pieces see.
var composeInputs = []string{
	"", " ", "  ", "\t", "\n", "a", "ab", "Arta Krasniqi", " Arta  Krasniqi ", "Arta\tKrasniqi", "Arta\u00a0Krasniqi",
	"Arta\u2003Krasniqi", "Arta\u3000Krasniqi", "Arta\u0085Krasniqi", "Arta\u200bKrasniqi", "Jovan Јовановић", "Émile Zola",
	"O'Brien", "O’Brien", `"Quoted" Name`, "A.", "Mr. X. Y.", "Invalid\xffByte", "\xff", "\xff\xfe \xfd", "e\u0301e\u0301",
	"Re: Kërkesë", "RE: Re: kërkesë", "re:x", "Re :x", "Re  \t\n\f\r :x", "Re\v: x", "Re\u00a0: x", "Re\u3000: x", "Re", "Re:",
	"Rex: x", "Reply: x", "Aw: x", "AW:x", "Vs: x", "VS: x", "vs. x", "Odg: x", "ODG : x", "odgovor: x", "Odgovor:x", "odgo: x",
	"Одг: питање", "ОДГ: питање", "одговор: питање", "ОДГОВОР : питање", "Одгов: x", "Përgj: x", "PËRGJ: x", "pËrgj:x",
	"Pergj: x", "PERGJ  :  x", "perg: x", "Sv: x", "ſv: x", "SV: x", "Tr: x", "TR: x", "Fw: x", "FW: x", "Fwd: x", "FWD: x",
	"Fwdd: x", "F: x", "Kelvin: x", "\u212a: x", "\u212are: x", "ΡΕ: x", " Re: x", "\tRe: x", "[DKP-2026-000042] Re: x",
	"Re\xff: x", "R\xffe: x", "Odg\xff: x", "Sv", "s", "Tr :", "fwd:", "ODGOVOR", "одг", "re\u0301: x", "RE\x00: x",
	"a\n\n\nb", "\n\n\n\n", "a\n\nb", "a\n\n\n\n\n\nb\n\n\nc", "a\r\n\r\n\r\nb", "\n\n\na\n\n\n", " \n\n\n x \n\n\n\n y\n\n\n ",
	"\u00a0\n\n\n\u00a0", "\xff\n\n\n\xfe", "a\n \n\n\nb", "\u2028\n\n\n\u2029x", "x\n\n\n", "\n\n\nx", "x\n\n\n\n\n\ny",
	"see www.evil.example", "www .x", "http://x", "x://", ":/", "a:/b", "mail me at a@b", "a＠b", "evil.example", "evil。example",
	"evil．example", "evil｡example", "evil[.]example", "evil(。)example", "Kërkesa nr. 12/2026", "v1.2", "Dokumenti.pdf",
	"全角。", "ｅｖｉｌ．ｅｘａｍｐｌｅ", "\xe3\x80", "\xef\xbc", "x\xe3", "Ilir\u200bZero", "one two three four five six seven",
	strings.Repeat("ë", 79), strings.Repeat("ë", 80), strings.Repeat("ë", 81), strings.Repeat("é", 79) + "\xff\xff",
	strings.Repeat("x", 200), strings.Repeat("word ", 40) + "end", strings.Repeat("Kërkesë për informata ", 12),
}

func TestHasReplyPrefixAsTheExpression(t *testing.T) {
	// What replySubject used before.
	replyPrefix := regexp.MustCompile(`(?i)^(re|aw|vs|odg|odgovor|одг|одговор|përgj|pergj|sv|tr|fwd?)\s*:`)
	matched := 0
	for _, s := range composeInputs {
		want := replyPrefix.MatchString(s)
		if got := hasReplyPrefix(s); got != want {
			t.Errorf("hasReplyPrefix(%q) = %v, the expression says %v", s, got, want)
		}
		if want {
			matched++
		}
	}
	if matched < 30 {
		t.Errorf("only %d inputs have a reply prefix: the comparison tests little", matched)
	}
}

func TestCollapseBlankLinesAsTheExpression(t *testing.T) {
	// What Ack and the notices used before.
	blankRun := regexp.MustCompile(`\n{3,}`)
	for _, s := range composeInputs {
		want := strings.TrimSpace(blankRun.ReplaceAllString(s, "\n\n")) + "\n"
		if got := collapseBlankLines([]byte(s)); got != want {
			t.Errorf("collapseBlankLines(%q) = %q, the expression gives %q", s, got, want)
		}
	}
}

// TestMayLookLikeLink: the check before linkLike never lets through text the
// expression matches, and spares it the ordinary name or subject.
func TestMayLookLikeLink(t *testing.T) {
	for _, s := range composeInputs {
		if linkLike.MatchString(s) && !mayLookLikeLink(s) {
			t.Errorf("mayLookLikeLink(%q) = false, but linkLike matches it", s)
		}
		if got, want := looksLikeLink(s), linkLike.MatchString(s); got != want {
			t.Errorf("looksLikeLink(%q) = %v, linkLike says %v", s, got, want)
		}
	}
	for _, s := range []string{"Arta Krasniqi", "Jovan Јовановић", "Re: Kërkesë për qasje në dokumente", "Одг: питање", "O’Brien", "全角"} {
		if mayLookLikeLink(s) {
			t.Errorf("mayLookLikeLink(%q) = true: the expression runs on every ordinary name", s)
		}
	}
}

func TestSingleSpaced(t *testing.T) {
	for _, s := range composeInputs {
		want := strings.Join(strings.Fields(s), " ")
		if got := singleSpaced(s); got != want {
			t.Errorf("singleSpaced(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestOneLineAsBefore(t *testing.T) {
	// What oneLine was, rune slice and all.
	before := func(s string, max int) string {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" {
			return "(pa subjekt)"
		}
		if r := []rune(s); len(r) > max {
			return string(r[:max]) + "…"
		}
		return s
	}
	for _, s := range composeInputs {
		for _, max := range []int{0, 1, 5, 80} {
			if got, want := oneLine(s, max), before(s, max); got != want {
				t.Errorf("oneLine(%q, %d) = %q, want %q", s, max, got, want)
			}
		}
	}
}

func TestWritableIDAsBefore(t *testing.T) {
	// What threadIDs asked before.
	before := func(id string) bool {
		for i := 0; i < len(id); i++ {
			if id[i] >= 0x80 {
				return false
			}
		}
		return strings.TrimSpace(id) != "" && !strings.ContainsAny(id, "<>\r\n")
	}
	ids := append([]string{"abc@x.example", "<abc@x.example>", "a>b", "a\rb", "a\nb", "\v\f\t ", "\v", " x ", "ünï@x",
		"a\x7f", "a\x00b", "CAF=x+y@mail.gmail.example", "\u00a0", "\u0085"}, composeInputs...)
	for _, id := range ids {
		if got, want := writableID(id), before(id); got != want {
			t.Errorf("writableID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestTicketFactsAsFmt(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 3, 16, 23, 30, 0, 0, time.UTC) // the 17th in Belgrade
	cases := []inquiry.Ticket{
		{Category: inquiry.DocumentRequest, Classifier: "builtin", Confidence: 0.87, Sender: inquiry.Address{Name: "Arta", Address: "a@x"},
			Channel: inquiry.ChannelEmail, Language: inquiry.Albanian, DueAt: due, Mentions: "DKP-2026-000007", LinkedTo: "DKP-2026-000008"},
		{Category: "", Classifier: "", Confidence: 0.005, NeedsReview: true, Urgent: true, Sender: inquiry.Address{Address: "a@x"}},
		{Category: inquiry.PressInquiry, Classifier: "llm", Confidence: 0.995, Channel: inquiry.ChannelTelegram, Language: inquiry.SerbianCyrl},
	}
	for _, c := range []float64{0.004999, 0.125, 0.135, 0.655, -0.006, math.Copysign(0, -1), 12.345, 1e300, math.Inf(1), math.Inf(-1), math.NaN()} {
		cases = append(cases, inquiry.Ticket{Classifier: "builtin", Confidence: c})
	}
	officer := inquiry.Officer{Name: "Jusuf Lushaku"}
	for _, tk := range cases {
		// What writeTicketFacts wrote before, with fmt.
		var want strings.Builder
		if tk.Urgent {
			want.WriteString("URGJENTE / URGENT: përgjigje brenda 48 orëve\n")
		}
		fmt.Fprintf(&want, "Kategoria: %s (%s, %.0f%%", CategoryName(tk.Category, inquiry.Albanian), tk.Classifier, tk.Confidence*100)
		if tk.NeedsReview {
			want.WriteString(", duhet rishikuar")
		}
		want.WriteString(")\n")
		fmt.Fprintf(&want, "Dërguesi: %s\n", tk.Sender.String())
		fmt.Fprintf(&want, "Kanali: %s · Gjuha: %s\n", tk.Channel, tk.Language)
		fmt.Fprintf(&want, "Zyrtari: %s\n", officer.Name)
		if !tk.DueAt.IsZero() {
			fmt.Fprintf(&want, "Afati ligjor: %s\n", tk.DueAt.In(loc).Format("02.01.2006"))
		}
		if tk.Mentions != "" {
			fmt.Fprintf(&want, "Përmend tiketën %s (e një dërguesi tjetër)\n", tk.Mentions)
		}
		if tk.LinkedTo != "" {
			fmt.Fprintf(&want, "Vazhdim i tiketës %s\n", tk.LinkedTo)
		}
		var got strings.Builder
		writeTicketFacts(&got, &tk, officer, loc)
		if got.String() != want.String() {
			t.Errorf("confidence %v: writeTicketFacts wrote\n%q\nwant\n%q", tk.Confidence, got.String(), want.String())
		}
	}
}

// TestNewMessageIDForm: sportel.<kind>.<24 hex digits>@<the mailbox's domain>,
// a new one each time.
func TestNewMessageIDForm(t *testing.T) {
	d := composeDesk(t)
	form := regexp.MustCompile(`^sportel\.notify\.[0-9a-f]{24}@mkrs\.example$`)
	a, b := d.newMessageID("notify"), d.newMessageID("notify")
	for _, id := range []string{a, b} {
		if !form.MatchString(id) {
			t.Errorf("newMessageID = %q, want the form %s", id, form)
		}
	}
	if a == b {
		t.Errorf("two Message-IDs are both %q", a)
	}
}

// FuzzHasReplyPrefix compares hasReplyPrefix with the expression on any
// text: go test -run XXX -fuzz FuzzHasReplyPrefix ./desk/
func FuzzHasReplyPrefix(f *testing.F) {
	replyPrefix := regexp.MustCompile(`(?i)^(re|aw|vs|odg|odgovor|одг|одговор|përgj|pergj|sv|tr|fwd?)\s*:`)
	for _, s := range composeInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasReplyPrefix(s), replyPrefix.MatchString(s); got != want {
			t.Errorf("hasReplyPrefix(%q) = %v, the expression says %v", s, got, want)
		}
	})
}

// FuzzCollapseBlankLines: go test -run XXX -fuzz FuzzCollapseBlankLines ./desk/
func FuzzCollapseBlankLines(f *testing.F) {
	blankRun := regexp.MustCompile(`\n{3,}`)
	for _, s := range composeInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.TrimSpace(blankRun.ReplaceAllString(s, "\n\n")) + "\n"
		if got := collapseBlankLines([]byte(s)); got != want {
			t.Errorf("collapseBlankLines(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzMayLookLikeLink: go test -run XXX -fuzz FuzzMayLookLikeLink ./desk/
func FuzzMayLookLikeLink(f *testing.F) {
	for _, s := range composeInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if linkLike.MatchString(s) && !mayLookLikeLink(s) {
			t.Errorf("mayLookLikeLink(%q) = false, but linkLike matches it", s)
		}
	})
}
