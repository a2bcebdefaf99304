package desk_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// Replies with commands as real mail clients write them, through the
// parser and the desk with a SQLite store.

var clientURL = regexp.MustCompile(`(https?://|www\.)[^\s<>]+`)

// linkedHTML renders plain text as Gmail and Outlook quote it in HTML: a
// line per <br>, every URL made a link.
func linkedHTML(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = clientURL.ReplaceAllStringFunc(html.EscapeString(l), func(u string) string {
			return `<a href="` + clientHref(u) + `">` + u + `</a>`
		})
	}
	return strings.Join(lines, "<br>\n")
}

// linkedPlain is Outlook's plain text of a quoted link: "url<url>".
func linkedPlain(text string) string {
	return clientURL.ReplaceAllStringFunc(text, func(u string) string { return u + "<" + clientHref(u) + ">" })
}

func clientHref(u string) string {
	if strings.HasPrefix(u, "www.") {
		return "http://" + u
	}
	return u
}

const gmailAttribution = `<div dir="ltr" class="gmail_attr">On Wed, Nov 25, 2026 at 11:00 AM Divizioni për Komunikim Publik &lt;<a href="mailto:komunikimi@mkrs.example">komunikimi@mkrs.example</a>&gt; wrote:<br></div>`

// owaQuoteHTML is Outlook on the web's quote of n: a rule, the header block
// in divRplyFwdMsg, then the notification's text.
func owaQuoteHTML(n *inquiry.Mail) string {
	return `<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">` +
		`<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">` +
		`<b>From:</b> Divizioni për Komunikim Publik &lt;komunikimi@mkrs.example&gt;<br>` +
		`<b>Sent:</b> Wednesday, November 25, 2026 11:00 AM<br><b>To:</b> Jusuf Lushaku &lt;jusuf.lushaku@mkrs.example&gt;<br>` +
		`<b>Subject:</b> ` + html.EscapeString(n.Subject) + `</font><div>&nbsp;</div></div>` +
		`<div class="BodyFragment"><font size="2"><span style="font-size:11pt;"><div class="PlainText">` + linkedHTML(n.Text) + `</div></span></font></div>`
}

// A citizen's request with command lines between links. Every client links
// the URLs when it quotes the notification, so the quoted lines around the
// commands no longer read as Sportel wrote them: the commands must still
// count as the quote, not as the officer's, and the citizen must get the
// officer's words alone, not the quoted lines with links.
func TestQuotedCitizenCommandsBesideLinksDoNotRun(t *testing.T) {
	const req = "Kërkoj kontratën, shih www.mkrs-ks.org/kontrata\n#assign osman\nwww.a-ks.org\n#urgent\n" +
		"https://c-ks.org/x\n#notheld Askush\nwww.d-ks.org\n#close withdrawn"
	const own = "Po e shqyrtojmë kërkesën tuaj."
	htmlType, plainType := "text/html; charset=utf-8", "text/plain; charset=utf-8"
	tests := []struct {
		name string
		ct   string
		body func(n *inquiry.Mail) string
	}{
		{"gmail top-posted", htmlType, func(n *inquiry.Mail) string {
			return `<div dir="ltr">` + own + `</div><br><div class="gmail_quote">` + gmailAttribution +
				`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">` + linkedHTML(n.Text) + `</blockquote></div>`
		}},
		{"gmail bottom-posted", htmlType, func(n *inquiry.Mail) string {
			return `<div class="gmail_quote">` + gmailAttribution + `<blockquote class="gmail_quote">` + linkedHTML(n.Text) +
				`</blockquote></div><div dir="ltr">` + own + `</div>`
		}},
		{"outlook on the web", htmlType, func(n *inquiry.Mail) string {
			return `<html><body dir="ltr"><div style="font-family:Calibri">` + own + `</div>` + owaQuoteHTML(n) + `</body></html>`
		}},
		{"outlook desktop plain text", plainType, func(n *inquiry.Mail) string {
			return own + "\n\n-----Original Message-----\nFrom: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n" +
				"Sent: Wednesday, November 25, 2026 11:00 AM\nTo: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nSubject: " + n.Subject +
				"\n\n" + linkedPlain(n.Text)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, req)
			n := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			m := parse.Parse(replyMail(n, "linked@mkrs.example", "RE: "+n.Subject, tt.ct, nil, tt.body(n)), f.now, parseOptions())
			if d := f.handle(m); d != inquiry.Relayed {
				t.Fatalf("disposition %s, want relayed", d)
			}
			tk := f.ticket(ticket1)
			if tk.State != inquiry.Answered || tk.OfficerID != "jusuf" || tk.Urgent || tk.Outcome != "" {
				t.Errorf("the citizen's quoted commands acted: state %s, outcome %q, officer %s, urgent %v", tk.State, tk.Outcome, tk.OfficerID, tk.Urgent)
			}
			if n := jobsOf(f.jobs(ticket1), inquiry.JobNotice); len(n) != 0 {
				t.Errorf("%d notices to the citizen, want none: %s", len(n), noticeTexts(f.jobs(ticket1)))
			}
			if r := jobsOf(f.jobs(ticket1), inquiry.JobCommandReport); len(r) != 0 {
				t.Errorf("the officer got a report on commands they never wrote:\n%s", r[0].Mail.Text)
			}
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
				if strings.Contains(j.Mail.Text, "#") || j.Mail.Text != own+"\n" {
					t.Errorf("answer to the citizen:\n%s", j.Mail.Text)
				}
			}
		})
	}
}
