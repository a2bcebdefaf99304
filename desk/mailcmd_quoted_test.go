package desk_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// A citizen's request carrying command lines; the officer answers quoting the
// notification. Only the officer's own lines may count as commands.
func TestQuotedCitizenCommandsDoNotRun(t *testing.T) {
	const req = "Të nderuar,\n\nKërkoj kopjen e kontratës për stadiumin.\n\n#close withdrawn\n\nMe respekt,\nArben Berisha"
	const own = "I nderuar z. Berisha,\n\nPo e shqyrtojmë kërkesën tuaj.\n\nMe respekt,\nJusuf Lushaku"
	styles := map[string]func(n *inquiry.Mail) []byte{
		"plain > quote": func(n *inquiry.Mail) []byte {
			return replyMail(n, "a@mkrs.example", "Re: "+n.Subject, "", nil, own+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", n.Text))
		},
		"outlook plain": func(n *inquiry.Mail) []byte {
			return replyMail(n, "b@mkrs.example", "RE: "+n.Subject, "text/plain; charset=utf-8", nil,
				own+"\n\n________________________________\nNga: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n"+
					"Dërguar: e mërkurë, 25 nëntor 2026 11:00\nPër: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nTema: "+n.Subject+"\n\n"+n.Text)
		},
		"gmail html": func(n *inquiry.Mail) []byte {
			return replyMail(n, "c@mkrs.example", "Re: "+n.Subject, "text/html; charset=UTF-8", nil,
				`<div dir="ltr">`+htmlLines(own)+`</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">`+
					`On Wed, Nov 25, 2026 at 11:00 AM Divizioni &lt;komunikimi@mkrs.example&gt; wrote:<br></div>`+
					`<blockquote class="gmail_quote">`+htmlLines(n.Text)+`</blockquote></div>`)
		},
		"outlook html": func(n *inquiry.Mail) []byte {
			return replyMail(n, "d@mkrs.example", "RE: "+n.Subject, "text/html; charset=utf-8", nil,
				`<html><body><div>`+htmlLines(own)+
					`<div><p><b>From:</b> Divizioni &lt;komunikimi@mkrs.example&gt;<br>`+
					`<b>Sent:</b> Wednesday, 25 November 2026 11:00<br><b>To:</b> Jusuf &lt;jusuf.lushaku@mkrs.example&gt;<br>`+
					`<b>Subject:</b> `+html.EscapeString(n.Subject)+`</p></div>`+
					`<p>`+htmlLines(n.Text)+`</p></div></body></html>`)
		},
		"top-post no attribution, plain text unquoted": func(n *inquiry.Mail) []byte {
			return replyMail(n, "e@mkrs.example", "Re: "+n.Subject, "text/plain; charset=utf-8", nil, own+"\n\n"+n.Text)
		},
	}
	for name, write := range styles {
		t.Run(name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, req)
			notify := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			m := parse.Parse(write(notify), f.now, parseOptions())
			d := f.handle(m)
			tk := f.ticket(ticket1)
			if tk.State == inquiry.Closed {
				t.Errorf("disposition %s: the citizen's quoted #close closed the ticket: %s/%s", d, tk.State, tk.Outcome)
			}
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
				if strings.Contains(j.Mail.Text, "#close") || strings.Contains(j.Mail.Text, "Kërkoj kopjen") {
					t.Errorf("answer carries the quote:\n%s", j.Mail.Text)
				}
			}
		})
	}
}
