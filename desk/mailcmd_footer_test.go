package desk_test

import (
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// A reply of commands only, as phones and signatures end it, through the
// parser and the desk with a SQLite store.

// A reply of commands alone from a phone, or signed with a line of
// hashtags, is no answer: the citizen must not get "Sent from my iPhone"
// as the decision, and the decision goes out as its own notice.
func TestCommandsOnlyUnderAFooterAreNoAnswer(t *testing.T) {
	attribution := "\n\nOn 25 Nov 2026, at 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> wrote:\n\n"
	tests := []struct {
		name string
		ct   string
		body func(n *inquiry.Mail) string
	}{
		{"iPhone, HTML", "text/html; charset=utf-8", func(n *inquiry.Mail) string {
			return `<html><body dir="auto"><div dir="ltr">#close granted</div><div dir="ltr"><br><div dir="ltr">Sent from my iPhone</div>` +
				`<div dir="ltr"><br><blockquote type="cite">On 25 Nov 2026, at 11:00, Divizioni për Komunikim Publik &lt;komunikimi@mkrs.example&gt; wrote:<br><br></blockquote></div>` +
				`<blockquote type="cite"><div dir="ltr">` + htmlLines(n.Text) + `</div></blockquote></div></body></html>`
		}},
		{"iPhone in Albanian, plain", "text/plain; charset=utf-8", func(n *inquiry.Mail) string {
			return "#close granted\n\nDërguar nga iPhone-i im\n\n> Më 25 nëntor 2026, në 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> shkroi:\n> \n" + quote("> ", n.Text)
		}},
		{"iPhone in Serbian, plain", "text/plain; charset=utf-8", func(n *inquiry.Mail) string {
			return "#close granted\n\nPoslato sa mog iPhone uređaja" + attribution + quote("> ", n.Text)
		}},
		{"Samsung", "text/plain; charset=utf-8", func(n *inquiry.Mail) string {
			return "#close granted\n\nSent from my Galaxy" + attribution + quote("> ", n.Text)
		}},
		{"Outlook for Android", "text/plain; charset=utf-8", func(n *inquiry.Mail) string {
			return "#close granted\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n________________________________\n" +
				"From: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\nSent: Wednesday, November 25, 2026 11:00:00 AM\n" +
				"To: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nSubject: " + n.Subject + "\n\n" + n.Text
		}},
		{"Outlook signature with the ministry and its address", "text/plain; charset=utf-8", func(n *inquiry.Mail) string {
			return "#close granted\n\nJusuf Lushaku\nZyrtar i Lartë për Informim\nMinistria e Kulturës, Rinisë dhe Sportit\n" +
				"Rr. Luan Haradinaj, 10000 Prishtinë\nTel: +383 38 200 20 000" + attribution + quote("> ", n.Text)
		}},
		{"signature with hashtags", "text/plain; charset=utf-8", func(n *inquiry.Mail) string {
			return "#close granted\n\nJusuf Lushaku\n#MKRS #KulturaKosova" + attribution + quote("> ", n.Text)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			n := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			m := parse.Parse(replyMail(n, "footer@mkrs.example", "Re: "+n.Subject, tt.ct, nil, tt.body(n)), f.now, parseOptions())
			if d := f.handle(m); d != inquiry.Attached {
				t.Errorf("disposition %s, want attached (commands only)", d)
			}
			tk := f.ticket(ticket1)
			if tk.State != inquiry.Closed || tk.Outcome != inquiry.Granted || tk.DecisionInAnswer {
				t.Errorf("ticket %s/%s, decision in answer %v; want closed granted with its own notice", tk.State, tk.Outcome, tk.DecisionInAnswer)
			}
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
				t.Errorf("the citizen got the footer as an answer:\n%s", j.Mail.Text)
			}
			if got := noticeTexts(f.jobs(ticket1)); len(got) != 1 || !strings.Contains(got[0], "qasja u lejua") {
				t.Errorf("notices %q, want the decision", got)
			}
		})
	}
}
