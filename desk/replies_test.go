package desk_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

// officerText is what the officer writes; the citizen must receive exactly
// it. It quotes a law article on purpose and has a line starting "Nga:".
const officerText = `I nderuar z. Krasniqi,

Sipas nenit 12 të Ligjit për qasje në dokumente publike:

> Organi publik vendos për kërkesën brenda shtatë ditëve.

Nga: arkivi i Ministrisë, kontrata gjendet në shtojcë.

Me respekt,
Jusuf Lushaku`

// officerHTML is officerText as an HTML mail client writes it, and
// officerHTMLText is how the parser renders it (a blockquote has no ">").
const officerHTML = `<p>I nderuar z. Krasniqi,</p>
<p>Sipas nenit 12 të Ligjit për qasje në dokumente publike:</p>
<blockquote>Organi publik vendos për kërkesën brenda shtatë ditëve.</blockquote>
<p>Nga: arkivi i Ministrisë, kontrata gjendet në shtojcë.</p>
<p>Me respekt,<br>Jusuf Lushaku</p>`

const officerHTMLText = `I nderuar z. Krasniqi,

Sipas nenit 12 të Ligjit për qasje në dokumente publike:

Organi publik vendos për kërkesën brenda shtatë ditëve.

Nga: arkivi i Ministrisë, kontrata gjendet në shtojcë.

Me respekt,
Jusuf Lushaku`

// replyMail is an officer's reply to notify as raw mail: headers a client
// writes, and body (text/plain unless contentType says otherwise).
func replyMail(notify *inquiry.Mail, id, subject, contentType string, extra []string, body string) []byte {
	if contentType == "" {
		contentType = "text/plain; charset=utf-8; format=flowed"
	}
	h := []string{
		"From: Jusuf Lushaku <jusuf.lushaku@mkrs.example>",
		"To: Divizioni për Komunikim Publik <komunikimi@mkrs.example>",
		"Subject: " + subject,
		"Date: Wed, 25 Nov 2026 12:00:00 +0100",
		"Message-ID: <" + id + ">",
		"In-Reply-To: <" + notify.MessageID + ">",
		"References: <" + notify.MessageID + ">",
		"MIME-Version: 1.0",
		"Content-Type: " + contentType,
		"Content-Transfer-Encoding: 8bit",
	}
	h = append(h, extra...)
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

// htmlLines renders plain text as Gmail and Outlook put it into HTML.
func htmlLines(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = html.EscapeString(l)
	}
	return strings.Join(lines, "<br>\n")
}

func parseOptions() parse.Options {
	return parse.Options{OwnAddresses: []string{"komunikimi@mkrs.example"}, OwnMessageIDDomain: "mkrs.example", OwnMessageIDPrefix: desk.MessageIDPrefix}
}

// fileDocumentRequest files a citizen's document request (routed to jusuf)
// and returns its notification.
func fileDocumentRequest(f *fixture) *inquiry.Mail {
	f.t.Helper()
	m := citizen("orig@example.net", "arben@example.net", "Kërkesë për kontratën", docRequestSQ+"\n\nMe respekt,\nArben Krasniqi")
	m.From.Name = "Arben Krasniqi"
	if d := f.handle(m); d != inquiry.Filed {
		f.t.Fatalf("citizen's request: %s, want filed", d)
	}
	return jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[0].Mail
}

// The officer's answer reaches the citizen exactly as written, however
// their mail client quoted the notification.
func TestOfficerRepliesAsClientsWriteThem(t *testing.T) {
	tests := []struct {
		name  string
		write func(n *inquiry.Mail) []byte
		want  string
	}{
		{"mutt, below the quote", func(n *inquiry.Mail) []byte {
			return replyMail(n, "mutt@mkrs.example", "Re: "+n.Subject, "text/plain; charset=utf-8", []string{"User-Agent: NeoMutt/20231103"},
				"On Wed, Nov 25, 2026 at 11:00:00AM +0100, Divizioni për Komunikim Publik wrote:\n"+quote("> ", n.Text)+"\n"+officerText+"\n")
		}, officerText},
		{"mutt, inline", func(n *inquiry.Mail) []byte {
			head, body, _ := strings.Cut(n.Text, "----- Mesazhi origjinal -----\n")
			return replyMail(n, "mutt-inline@mkrs.example", "Re: "+n.Subject, "text/plain; charset=utf-8", nil,
				"* Divizioni për Komunikim Publik <komunikimi@mkrs.example> [2026-11-25 11:00]:\n"+quote("> ", head)+
					"\nE mora, po e shqyrtoj.\n\n"+quote("> ", "----- Mesazhi origjinal -----\n"+body)+"\n"+officerText+"\n")
		}, "E mora, po e shqyrtoj.\n\n" + officerText},
		{"Thunderbird, above the quote, sq", func(n *inquiry.Mail) []byte {
			return replyMail(n, "tb@mkrs.example", "Re: "+n.Subject, "", []string{"User-Agent: Mozilla Thunderbird"},
				officerText+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", n.Text))
		}, officerText},
		{"Thunderbird, below the quote, sr-Latn", func(n *inquiry.Mail) []byte {
			return replyMail(n, "tb2@mkrs.example", "Re: "+n.Subject, "", nil,
				"Dana 25.11.2026. u 11:00, Divizioni za javnu komunikaciju je napisao:\n"+quote("> ", n.Text)+"\n"+officerText+"\n")
		}, officerText},
		{"Outlook, plain text, sq header", func(n *inquiry.Mail) []byte {
			return replyMail(n, "ol@mkrs.example", "RE: "+n.Subject, "text/plain; charset=utf-8", []string{"X-Mailer: Microsoft Outlook 16.0"},
				officerText+"\n\n________________________________\nNga: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n"+
					"Dërguar: e mërkurë, 25 nëntor 2026 11:00\nPër: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nTema: "+n.Subject+"\n\n"+n.Text)
		}, officerText},
		{"Outlook desktop, text and HTML, Thread-Index and no References", func(n *inquiry.Mail) []byte {
			// Outlook's plain text writes a link's target after it.
			quoted := strings.ReplaceAll(n.Text, "<arben@example.net>", "<arben@example.net<mailto:arben@example.net>>")
			m := replyMail(n, "oldesk@mkrs.example", "RE: "+n.Subject, `multipart/alternative; boundary="_000_"`,
				[]string{"Thread-Topic: " + n.Subject, "Thread-Index: AdlQ2Rj0n3c4p8ZbT1uIYyQmXbSx7w==", "X-MS-Has-Attach:", "Content-Language: sq-AL"},
				"--_000_\nContent-Type: text/plain; charset=\"utf-8\"\n\n"+officerText+"\n\nFrom: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n"+
					"Sent: Wednesday, November 25, 2026 11:00 AM\nTo: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nSubject: "+n.Subject+"\n\n"+quoted+
					"\n--_000_\nContent-Type: text/html; charset=\"utf-8\"\n\n<html><body>"+officerHTML+"</body></html>\n--_000_--\n")
			return []byte(strings.Replace(string(m), "References: <"+n.MessageID+">\r\n", "", 1))
		}, officerText},
		{"Outlook, HTML only, sr-Latn header", func(n *inquiry.Mail) []byte {
			return replyMail(n, "olhtml@mkrs.example", "RE: "+n.Subject, "text/html; charset=utf-8", nil,
				`<html><body><div class=WordSection1>`+officerHTML+
					`<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class=MsoNormal><b>Od:</b> Divizioni &lt;komunikimi@mkrs.example&gt;<br>`+
					`<b>Poslato:</b> sreda, 25. novembar 2026. 11:00<br><b>Za:</b> Jusuf Lushaku &lt;jusuf.lushaku@mkrs.example&gt;<br>`+
					`<b>Predmet:</b> `+html.EscapeString(n.Subject)+`<o:p></o:p></p></div>`+
					`<p class=MsoNormal>`+htmlLines(n.Text)+`</p></div></body></html>`)
		}, officerHTMLText},
		{"Gmail, HTML only, sr-Cyrl attribution", func(n *inquiry.Mail) []byte {
			return replyMail(n, "gm@mkrs.example", "Re: "+n.Subject, "text/html; charset=UTF-8", nil,
				`<div dir="ltr">`+officerHTML+`</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">`+
					`сре, 25. нов 2026. у 11:00 Divizioni &lt;<a href="mailto:komunikimi@mkrs.example">komunikimi@mkrs.example</a>&gt; је написао/ла:<br></div>`+
					`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">`+htmlLines(n.Text)+`</blockquote></div>`)
		}, officerHTMLText},
		{"Gmail, plain text, en attribution wrapped", func(n *inquiry.Mail) []byte {
			return replyMail(n, "gm2@mkrs.example", "Re: "+n.Subject, "text/plain; charset=UTF-8", nil,
				officerText+"\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni për Komunikim Publik <\nkomunikimi@mkrs.example> wrote:\n\n"+quote("> ", n.Text))
		}, officerText},
		{"Apple Mail, attribution quoted", func(n *inquiry.Mail) []byte {
			return replyMail(n, "apple@mkrs.example", "Re: "+n.Subject, "text/plain; charset=utf-8", []string{"X-Mailer: Apple Mail (2.3774)"},
				officerText+"\n\n> On 25 Nov 2026, at 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> wrote:\n>\n"+quote("> ", n.Text))
		}, officerText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			notify := fileDocumentRequest(f)
			m := parse.Parse(tt.write(notify), f.now, parseOptions())
			if m.Automation != inquiry.Human {
				t.Fatalf("the officer's reply parsed as %s (%s)", m.Automation, m.AutomationReason)
			}
			if d := f.handle(m); d != inquiry.Relayed {
				t.Fatalf("officer's reply: %s, want relayed", d)
			}
			answers := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)
			if len(answers) != 1 {
				t.Fatalf("%d answer jobs, want 1", len(answers))
			}
			if got := answers[0].Mail.Text; got != tt.want+"\n" {
				t.Errorf("the citizen receives:\n%s\n--- want ---\n%s", got, tt.want)
			}
			if st := f.ticket("DKP-2026-000001").State; st != inquiry.Answered {
				t.Errorf("ticket %s, want answered", st)
			}
		})
	}
}

// A reply with nothing of the officer's own once the quoted notification
// is out sends the citizen nothing: it is kept, and the officer hears that
// nothing was sent.
func TestOfficerReplyWithoutAnswerIsKeptAndOfficerTold(t *testing.T) {
	f := newFixture(t)
	notify := fileDocumentRequest(f)
	raw := replyMail(notify, "empty@mkrs.example", "Re: "+notify.Subject, "", nil,
		"On Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n"+quote("> ", notify.Text)+"\n\n")
	m := parse.Parse(raw, f.now, parseOptions())
	if d := f.handle(m); d != inquiry.Attached {
		t.Fatalf("empty reply: %s, want attached", d)
	}
	tk := f.ticket("DKP-2026-000001")
	if tk.State != inquiry.Assigned {
		t.Errorf("ticket %s, want still assigned", tk.State)
	}
	if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)); n != 0 {
		t.Errorf("%d answer jobs, want none", n)
	}
	told := jobsOf(f.jobs(tk.Number), inquiry.JobQuarantined)
	if len(told) != 1 || told[0].Recipient != "jusuf" || told[0].Mail.To[0].Address != "jusuf.lushaku@mkrs.example" ||
		!strings.Contains(told[0].Mail.Text, "nuk iu dërgua asgjë") || !strings.Contains(told[0].Mail.Subject, tk.Number) {
		t.Fatalf("officer told: %+v", told)
	}
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != inquiry.EntryNote || last.SourceID != m.SourceID || len(last.Raw) == 0 || !strings.Contains(last.Text, "> Tiketë e re") {
		t.Errorf("the reply is not kept as it came: %+v", last)
	}
	if d := f.handle(m); d != inquiry.Duplicate {
		t.Errorf("again: %s, want duplicate", d)
	}
}

// headOfficers are the test officers with osman as the head of the division.
func headOfficers() []inquiry.Officer {
	out := append([]inquiry.Officer(nil), officers...)
	out[0].Role = inquiry.RoleHead
	return out
}

// An officer's out-of-office reply to a notification is never relayed: it
// is kept on the ticket, which stays as it was, and the head hears once a
// day that the officer is away, with the officer's open tickets.
func TestOfficerOutOfOffice(t *testing.T) {
	tests := []struct {
		name    string
		subject string
		headers []string
		noRefs  bool // the client dropped In-Reply-To and References
	}{
		{"Outlook, en", "Automatic reply: %s", []string{"X-Auto-Response-Suppress: All", "Thread-Topic: x"}, false},
		{"Outlook, sq", "Përgjigje automatike: %s", []string{"X-Auto-Response-Suppress: All"}, false},
		{"Outlook, sr-Latn", "Automatski odgovor: %s", []string{"X-Auto-Response-Suppress: All"}, false},
		{"Auto-Submitted: auto-replied", "Odsutan sam do 30.11. (%s)", []string{"Auto-Submitted: auto-replied"}, false},
		{"Outlook, no references, the subject names the ticket", "Automatic reply: %s", []string{"X-Auto-Response-Suppress: All"}, true},
		{"Auto-Submitted, no references", "Odsutan sam (%s)", []string{"Auto-Submitted: auto-replied"}, true},
		// procmail's vacation recipe: "Re: " the subject, Precedence: junk
		// and X-Loop, no Auto-Submitted.
		{"vacation recipe, Precedence: junk", "Re: %s", []string{"Precedence: junk", "X-Loop: jusuf.lushaku@mkrs.example"}, false},
		{"vacation(1), Precedence: bulk", "Re: %s", []string{"Precedence: bulk"}, false},
		// An Exchange inbox rule that replies with a template: "RE: " the
		// subject, no Auto-Submitted, no out-of-office label.
		{"Exchange inbox rule's reply", "RE: %s", []string{"X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent"}, false},
		{"Exchange inbox rule's reply, X-Auto-Response-Suppress too", "RE: %s",
			[]string{"X-Auto-Response-Suppress: All", "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent"}, false},
		// A rule forwarding the officer's mail back to the mailbox while
		// they are away: no references, the subject names the ticket.
		{"Exchange forwarding rule", "FW: %s", []string{"X-MS-Exchange-Inbox-Rules-Loop: jusuf.lushaku@mkrs.example",
			"X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) { c.Officers = headOfficers() })
			notify := fileDocumentRequest(f)
			// A second open ticket of the same officer, to be listed.
			second := citizen("orig2@example.net", "drita@example.net", "Kërkesë", "Kërkoj kopjen e vendimit për ndarjen e subvencioneve për klubet sportive në vitin 2025, sipas Ligjit për qasje në dokumente publike.")
			if d := f.handle(second); d != inquiry.Filed {
				t.Fatalf("second request: %s", d)
			}
			if tk := f.ticket("DKP-2026-000002"); tk.OfficerID != "jusuf" {
				t.Fatalf("second ticket went to %s, want jusuf", tk.OfficerID)
			}
			ooo := func(id string) *inquiry.Message {
				raw := replyMail(notify, id, fmt.Sprintf(tt.subject, notify.Subject), "", tt.headers,
					"Jam jashtë zyrës deri më 30.11.2026. Për çështje urgjente kontaktoni zyrën.\n")
				if tt.noRefs {
					var kept []string
					for _, l := range strings.Split(string(raw), "\r\n") {
						if !strings.HasPrefix(l, "In-Reply-To:") && !strings.HasPrefix(l, "References:") {
							kept = append(kept, l)
						}
					}
					raw = []byte(strings.Join(kept, "\r\n"))
				}
				return parse.Parse(raw, f.now, parseOptions())
			}
			m := ooo("ooo1@mkrs.example")
			if d := f.handle(m); d != inquiry.Attached {
				t.Fatalf("out-of-office: %s, want attached", d)
			}
			if n := len(f.tickets()); n != 2 {
				t.Errorf("%d tickets: an out-of-office opens none", n)
			}
			tk := f.ticket("DKP-2026-000001")
			if tk.State != inquiry.Assigned || !tk.AnsweredAt.IsZero() {
				t.Errorf("ticket %s answered at %v: it must stay as it was", tk.State, tk.AnsweredAt)
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)); n != 0 {
				t.Fatalf("%d answers relayed: an out-of-office reply is not an answer", n)
			}
			entries, err := f.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := entries[len(entries)-1]
			if last.Kind != inquiry.EntryAutomated || last.Author != "jusuf" || !strings.Contains(last.Text, "Jam jashtë zyrës") {
				t.Errorf("the out-of-office reply is not kept: %+v", last)
			}
			away := jobsOf(f.jobs(tk.Number), inquiry.JobAway)
			if len(away) != 1 || away[0].Recipient != "osman" || away[0].Mail.To[0].Address != "osman.gashi@mkrs.example" {
				t.Fatalf("head told: %+v", away)
			}
			text := away[0].Mail.Text
			loc, err := time.LoadLocation("Europe/Belgrade") // the fixture's
			if err != nil {
				t.Fatal(err)
			}
			due := func(n string) string { return f.ticket(n).DueAt.In(loc).Format("02.01.2006") }
			for _, want := range []string{"Jusuf Lushaku", "DKP-2026-000001", "DKP-2026-000002", "afati ligjor " + due("DKP-2026-000001"), "afati ligjor " + due("DKP-2026-000002")} {
				if !strings.Contains(text, want) {
					t.Errorf("the head's notice lacks %q:\n%s", want, text)
				}
			}

			// A second out-of-office the same day tells the head nothing new.
			f.now = f.now.Add(3 * time.Hour)
			if d := f.handle(ooo("ooo2@mkrs.example")); d != inquiry.Attached {
				t.Fatalf("second out-of-office: %s, want attached", d)
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAway)); n != 1 {
				t.Errorf("%d notices to the head the same day, want 1", n)
			}
			// The next day it does.
			f.now = f.now.Add(24 * time.Hour)
			if d := f.handle(ooo("ooo3@mkrs.example")); d != inquiry.Attached {
				t.Fatalf("third out-of-office: %s, want attached", d)
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAway)); n != 2 {
				t.Errorf("%d notices to the head over two days, want 2", n)
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)); n != 0 {
				t.Errorf("%d answers relayed", n)
			}
		})
	}
}

// Machine mail from an officer that is not an out-of-office reply (a read
// receipt) stays what it was: kept on the ticket, nobody told.
func TestOfficerReadReceiptIsNotOutOfOffice(t *testing.T) {
	f := newFixtureConfig(t, nil, func(c *desk.Config) { c.Officers = headOfficers() })
	notify := fileDocumentRequest(f)
	raw := replyMail(notify, "mdn@mkrs.example", "Read: "+notify.Subject,
		`multipart/report; report-type=disposition-notification; boundary="b"`, nil,
		"--b\nContent-Type: text/plain; charset=utf-8\n\nYour message was read.\n--b\nContent-Type: message/disposition-notification\n\n"+
			"Final-Recipient: rfc822; jusuf.lushaku@mkrs.example\nDisposition: manual-action/MDN-sent-manually; displayed\n--b--\n")
	m := parse.Parse(raw, f.now, parseOptions())
	if m.Automation != inquiry.Machine {
		t.Fatalf("a read receipt parsed as %q", m.Automation)
	}
	if d := f.handle(m); d != inquiry.Attached {
		t.Fatalf("read receipt: %s, want attached", d)
	}
	jobs := f.jobs("DKP-2026-000001")
	if n := len(jobsOf(jobs, inquiry.JobAway)) + len(jobsOf(jobs, inquiry.JobAnswer)); n != 0 {
		t.Errorf("a read receipt caused %d notices or answers", n)
	}
}

// With no head of the division configured, an out-of-office is still kept
// and never relayed; there is nobody to tell.
func TestOfficerOutOfOfficeWithoutHead(t *testing.T) {
	f := newFixture(t)
	notify := fileDocumentRequest(f)
	raw := replyMail(notify, "ooo-nohead@mkrs.example", "Automatic reply: "+notify.Subject, "", []string{"X-Auto-Response-Suppress: All"},
		"Jam jashtë zyrës.\n")
	if d := f.handle(parse.Parse(raw, f.now, parseOptions())); d != inquiry.Attached {
		t.Fatalf("out-of-office: %s, want attached", d)
	}
	jobs := f.jobs("DKP-2026-000001")
	if n := len(jobsOf(jobs, inquiry.JobAnswer)) + len(jobsOf(jobs, inquiry.JobAway)); n != 0 {
		t.Errorf("%d answers or notices, want none", n)
	}
	if st := f.ticket("DKP-2026-000001").State; st != inquiry.Assigned {
		t.Errorf("ticket %s, want still assigned", st)
	}
}

// The notification an officer quotes is the one their reply answers, even
// when a Telegram notification or a digest came after or instead of the
// first mail: Outlook shows it unquoted under its header block, so only
// its text tells it from the officer's.
func TestOfficerAnswerQuotingTheNotificationItAnswers(t *testing.T) {
	withTelegram := func(c *desk.Config) {
		c.NotifyByTelegram = true
		c.Officers = append([]inquiry.Officer(nil), officers...)
		c.Officers[1].TelegramUserID = 4242 // jusuf
	}
	tests := []struct {
		name      string
		configure func(*desk.Config)
		followUp  bool // the citizen writes again, and the officer answers that notification
	}{
		{"a Telegram notification after the mail", withTelegram, false},
		{"a digest of a follow-up", func(c *desk.Config) { c.NotifyQuiet = 10 * time.Minute }, true},
		{"a follow-up notified at once, Telegram too", withTelegram, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, tt.configure)
			fileDocumentRequest(f)
			if tt.followUp {
				f.now = f.now.Add(time.Minute)
				follow := citizen("follow@example.net", "arben@example.net", "Re: [DKP-2026-000001] Kërkesë për kontratën",
					"Ju lutem dërgoni edhe planin dinamik të punimeve dhe procesverbalin e pranimit teknik.")
				if d := f.handle(follow); d != inquiry.Attached {
					t.Fatalf("follow-up: %s, want attached", d)
				}
			}
			var notify *inquiry.Mail
			for _, j := range jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify) {
				if j.Mail != nil {
					notify = j.Mail // the newest mail notification
				}
			}
			if tt.followUp && !strings.Contains(notify.Text, "planin dinamik") {
				t.Fatalf("the newest mail notification is not about the follow-up:\n%s", notify.Text)
			}
			raw := replyMail(notify, "ol-"+strings.ReplaceAll(tt.name, " ", "-")+"@mkrs.example", "RE: "+notify.Subject, "", nil,
				officerText+"\n\n"+"________________________________\nFrom: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n"+
					"Sent: Wednesday, November 25, 2026 11:00 AM\nTo: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nSubject: "+notify.Subject+"\n\n"+notify.Text)
			if d := f.handle(parse.Parse(raw, f.now, parseOptions())); d != inquiry.Relayed {
				t.Fatalf("officer's answer: %s, want relayed", d)
			}
			answers := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)
			if len(answers) != 1 || answers[0].Mail.Text != officerText+"\n" {
				t.Fatalf("the citizen receives %+v, want exactly the officer's text", answers)
			}
		})
	}
}
