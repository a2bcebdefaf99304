package desk_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// A citizen's command line hidden by an invisible character ("#cl­ose" with
// a soft hyphen) reads as a command once the character is gone, which is
// how a command is read. The officer's client may drop such characters
// when it quotes the notification; the line must still be known as the
// citizen's, quoted, and not run as the officer's.
func TestQuotedCitizenCommandWithInvisibleCharacters(t *testing.T) {
	const own = "I nderuar z. Berisha,\n\nPo e shqyrtojmë kërkesën tuaj.\n\nMe respekt,\nJusuf Lushaku"
	// What a client that drops invisible characters makes of a quote.
	visible := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r == '\u200b':
				return ' '
			case unicode.Is(unicode.Cf, r):
				return -1
			}
			return r
		}, s)
	}
	tests := []struct{ name, line string }{
		{"soft hyphen", "#cl\u00adose withdrawn"},
		{"zero-width space between the words", "#close\u200bwithdrawn"},
		{"word joiner", "#close\u2060 withdrawn"},
		{"zero-width joiner", "#\u200dclose withdrawn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := "Të nderuar,\n\nKërkoj kopjen e kontratës për stadiumin.\n\n" + tt.line + "\n\nMe respekt,\nArben Berisha"
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, req)
			notify := mailNotification(f)
			if !strings.Contains(notify.Text, tt.line) {
				t.Fatalf("the notification does not carry the citizen's line as written:\n%s", notify.Text)
			}
			f.now = f.now.Add(time.Hour)
			// Outlook's plain-text reply: the notification below the
			// officer's text, unmarked, as the client rewrote it.
			reply := replyMail(notify, "b@mkrs.example", "RE: "+notify.Subject, "text/plain; charset=utf-8", nil,
				own+"\n\n________________________________\nNga: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n"+
					"Dërguar: e mërkurë, 25 nëntor 2026 11:00\nPër: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nTema: "+notify.Subject+"\n\n"+visible(notify.Text))
			d := f.handle(parse.Parse(reply, f.now, parseOptions()))
			if tk := f.ticket(ticket1); tk.State == inquiry.Closed {
				t.Errorf("disposition %s: the citizen's quoted line closed the ticket: %s/%s", d, tk.State, tk.Outcome)
			}
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
				if strings.Contains(j.Mail.Text, "Kërkoj kopjen") {
					t.Errorf("answer carries the quote:\n%s", j.Mail.Text)
				}
			}
		})
	}
}
