package desk_test

import (
	"context"
	"html"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/report"
	"sportel/store"
)

// outlookRelated is an Outlook-style HTML reply: the officer's own HTML,
// the quoted notification, and the signature logo as an inline image in a
// multipart/related part.
func outlookRelated(notify *inquiry.Mail, id, ownHTML string) []byte {
	h := []string{
		"From: Jusuf Lushaku <jusuf.lushaku@mkrs.example>",
		"To: Divizioni për Komunikim Publik <komunikimi@mkrs.example>",
		"Subject: RE: " + notify.Subject,
		"Date: Wed, 25 Nov 2026 12:00:00 +0100",
		"Message-ID: <" + id + ">",
		"In-Reply-To: <" + notify.MessageID + ">",
		"References: <" + notify.MessageID + ">",
		"MIME-Version: 1.0",
		`Content-Type: multipart/related; boundary="rel"; type="text/html"`,
	}
	body := "--rel\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		`<html><body><div class=WordSection1>` + ownHTML +
		`<p class=MsoNormal><img width=120 height=40 src="cid:image001.png@01DB0000.00000000"></p>` +
		`<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class=MsoNormal><b>From:</b> Divizioni &lt;komunikimi@mkrs.example&gt;<br>` +
		`<b>Sent:</b> Wednesday, November 25, 2026 11:00 AM<br><b>To:</b> Jusuf Lushaku &lt;jusuf.lushaku@mkrs.example&gt;<br>` +
		`<b>Subject:</b> ` + html.EscapeString(notify.Subject) + `</p></div>` +
		`<p class=MsoNormal>` + htmlLines(notify.Text) + `</p></div></body></html>` + "\r\n" +
		"--rel\r\nContent-Type: image/png; name=\"image001.png\"\r\nContent-Description: image001.png\r\n" +
		"Content-Disposition: inline; filename=\"image001.png\"\r\nContent-ID: <image001.png@01DB0000.00000000>\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n--rel--\r\n"
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + body)
}

// An officer who replies from Outlook with commands only, or with nothing
// of their own, sends the citizen nothing: the signature's logo, an image
// shown inside the HTML, is not an attached file.
func TestCommandsOnlyReplyWithASignatureLogo(t *testing.T) {
	tests := []struct {
		name    string
		ownHTML string
		state   inquiry.State
	}{
		{"commands only", `<p class=MsoNormal>#urgent</p>`, inquiry.Assigned},
		{"nothing of their own (sent by mistake)", ``, inquiry.Assigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			notify := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			m := parse.Parse(outlookRelated(notify, "ol-cmd@mkrs.example", tt.ownHTML), f.now, parseOptions())
			d := f.handle(m)
			answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)
			tk := f.ticket(ticket1)
			if len(answers) != 0 {
				t.Errorf("disposition %s; the citizen gets an answer %q with files %v; ticket %s",
					d, answers[0].Mail.Text, attachmentNames(m), tk.State)
			}
			if tk.State != tt.state {
				t.Errorf("ticket %s, want %s", tk.State, tt.state)
			}
		})
	}
}

func attachmentNames(m *inquiry.Message) []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Name)
	}
	return out
}

// An officer who answers by mail the notification of a requester's
// question after a decision: the answer goes to the requester, and the
// request stays closed as decided (opened again as answered, it counted as
// pending and then as refused by silence).
func TestOfficerMailAnswerKeepsADecidedTicketClosed(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	f.now = f.now.Add(3 * 24 * time.Hour)
	if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Refused, Ground: "personal_data"}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(2 * 24 * time.Hour)
	m := citizen("thanks@example.net", "arben@example.net", "Re: [DKP-2026-000001] Kërkesë", "Faleminderit, por pse?")
	if d := f.handle(m); d != inquiry.Attached {
		t.Fatalf("disposition %s, want attached", d)
	}
	notes := jobsOf(f.jobs(ticket1), inquiry.JobNotify)
	var notify *inquiry.Mail
	for _, j := range notes {
		if j.Mail != nil {
			notify = j.Mail
		}
	}
	f.now = f.now.Add(time.Hour)
	raw := replyMail(notify, "after-decision@mkrs.example", "Re: "+notify.Subject, "", nil,
		"Ju lutem shihni vendimin.\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n"+quote("> ", notify.Text))
	d := f.handle(parse.Parse(raw, f.now, parseOptions()))
	tk := f.ticket(ticket1)
	if answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer); len(answers) != 1 || !strings.Contains(answers[0].Mail.Text, "Ju lutem shihni vendimin.") {
		t.Errorf("disposition %s: %d answers to the requester, want the officer's", d, len(answers))
	}
	if tk.State != inquiry.Closed || tk.Outcome != inquiry.Refused || tk.DecidedAt.IsZero() {
		t.Errorf("officer's mail answer on a decided ticket: disposition %s; ticket now %s with outcome %s (decided %v, closed %v)",
			d, tk.State, tk.Outcome, !tk.DecidedAt.IsZero(), !tk.ClosedAt.IsZero())
	}
	f.now = f.now.Add(10 * 24 * time.Hour) // past the deadline
	r := report.AccessDocuments(f.tickets(), 2026, f.loc(), f.now)
	if r.OnTime != 1 || r.SilentRefusals != 0 || r.Pending != 0 {
		t.Errorf("report: on time %d, silent refusals %d, pending %d; want 1, 0, 0", r.OnTime, r.SilentRefusals, r.Pending)
	}
}

// An officer closes a document request by mail with a command and nothing
// else but the signature their client adds to every mail. The decision
// must reach the requester: either as the decision notice, or in an answer
// that says something.
func TestCloseByMailWithOnlyASignature(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	notify := mailNotification(f)
	f.now = f.now.Add(time.Hour)
	own := "#close refused personal_data\n\n-- \nJusuf Lushaku\nZyrtar për qasje në dokumente publike\nMinistria e Kulturës, Rinisë dhe Sportit\nTel. +383 38 200 20 000"
	raw := replyMail(notify, "close-sig@mkrs.example", "Re: "+notify.Subject, "", nil,
		own+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
	d := f.handle(parse.Parse(raw, f.now, parseOptions()))
	jobs := f.jobs(ticket1)
	tk := f.ticket(ticket1)
	answers := jobsOf(jobs, inquiry.JobAnswer)
	notices := noticeTexts(jobs)
	if len(answers) != 0 || len(notices) != 1 || tk.State != inquiry.Closed || tk.DecisionInAnswer {
		t.Errorf("disposition %s; ticket %s/%s ground %s, decision in answer %v; %d answers, %d decision notices; want no answer and the notice",
			d, tk.State, tk.Outcome, tk.Ground, tk.DecisionInAnswer, len(answers), len(notices))
	}
}

// The officer whose reply carried nothing of their own is told "write the
// answer and send it again"; an officer who does so by replying to that
// very mail writes about the citizen's ticket, not a new inquiry of theirs.
func TestOfficerRepliesToTheNothingSentMail(t *testing.T) {
	f := newFixture(t)
	notify := fileDocumentRequest(f)
	raw := replyMail(notify, "empty@mkrs.example", "Re: "+notify.Subject, "", nil,
		"On Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n"+quote("> ", notify.Text)+"\n\n")
	if d := f.handle(parse.Parse(raw, f.now, parseOptions())); d != inquiry.Attached {
		t.Fatalf("empty reply: %s, want attached", d)
	}
	told := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobQuarantined)[0].Mail
	f.now = f.now.Add(10 * time.Minute)
	raw = replyMail(told, "second@mkrs.example", "Re: "+told.Subject, "", nil,
		officerText+"\n\nOn Wed, Nov 25, 2026 at 11:10 AM Divizioni <komunikimi@mkrs.example> wrote:\n"+quote("> ", told.Text))
	m := parse.Parse(raw, f.now, parseOptions())
	d := f.handle(m)
	ts := f.tickets()
	if len(ts) != 1 {
		var acks []string
		for _, tk := range ts {
			for _, j := range jobsOf(f.jobs(tk.Number), inquiry.JobAck) {
				acks = append(acks, tk.Number+" ack to "+j.Recipient)
			}
		}
		t.Errorf("officer's answer to the nothing-sent mail: disposition %s; %d tickets, want 1; %v", d, len(ts), acks)
	}
	keptAndTold(t, f, "DKP-2026-000001", d)
}

// An officer who answers the deadline reminder (subject "[DKP-…] Kujtesë:
// afati …", sent to them by the scheduler) writes about the ticket.
func TestOfficerRepliesToAReminder(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	tk := f.ticket(ticket1)
	rem := &inquiry.Mail{MessageID: "sportel.reminder.0123456789abcdef01234567@mkrs.example", Date: f.now,
		From: inquiry.Address{Address: "komunikimi@mkrs.example"}, To: []inquiry.Address{{Address: "jusuf.lushaku@mkrs.example"}},
		Subject: "[" + ticket1 + "] Kujtesë: afati 02.12.2026", AutoReplied: true,
		Text: "Kërkesa " + ticket1 + " për qasje në dokumente publike ende nuk ka vendim. Afati ligjor: 02.12.2026."}
	err := f.store.WithTx(ctx, func(tx store.Tx) error {
		return tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: "jusuf", State: inquiry.JobDone,
			NextAt: f.now, CreatedAt: f.now, Mail: rem})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	raw := replyMail(rem, "rem-reply@mkrs.example", "Re: "+rem.Subject, "", nil,
		"I nderuar z. Berisha,\n\nKontrata ju dërgohet nesër.\n\nMe respekt,\nJusuf Lushaku\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n"+quote("> ", rem.Text))
	d := f.handle(parse.Parse(raw, f.now, parseOptions()))
	if ts := f.tickets(); len(ts) != 1 {
		var acks []string
		for _, x := range ts {
			for _, j := range jobsOf(f.jobs(x.Number), inquiry.JobAck) {
				acks = append(acks, x.Number+" ack to "+j.Recipient)
			}
		}
		t.Errorf("officer's reply to the reminder: disposition %s; %d tickets, want 1; %v", d, len(ts), acks)
	}
	keptAndTold(t, f, "DKP-2026-000001", d)
}

// A client that threads by References alone (no In-Reply-To).
func TestOfficerReplyWithReferencesOnly(t *testing.T) {
	f := newFixture(t)
	notify := fileDocumentRequest(f)
	raw := replyMail(notify, "refs-only@mkrs.example", "Re: "+notify.Subject, "", nil,
		officerText+"\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n"+quote("> ", notify.Text))
	raw = []byte(strings.Replace(string(raw), "In-Reply-To: <"+notify.MessageID+">\r\n", "", 1))
	d := f.handle(parse.Parse(raw, f.now, parseOptions()))
	if d != inquiry.Relayed {
		t.Errorf("officer's reply with References only: %s, want relayed; %d tickets", d, len(f.tickets()))
	}
}

// keptAndTold checks that an officer's mail about ticket number that is no
// answer was kept on it (attached), that the officer was told, and that
// nothing went to the citizen or opened a ticket.
func keptAndTold(t *testing.T, f *fixture, number string, d inquiry.Disposition) {
	t.Helper()
	if d != inquiry.Attached {
		t.Errorf("disposition %s, want attached", d)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	jobs := f.jobs(number)
	if n := len(jobsOf(jobs, inquiry.JobAnswer)); n != 0 {
		t.Errorf("%d answers went to the citizen", n)
	}
	told := false
	for _, j := range jobsOf(jobs, inquiry.JobQuarantined) {
		if j.Mail != nil && strings.Contains(j.Mail.Subject, "Sportel: mesazhi nuk u dërgua") {
			told = true
		}
	}
	if !told {
		t.Error("the officer was not told the mail went nowhere")
	}
}

// An officer away sets their mail client to forward all their mail to the
// public mailbox (Thunderbird's filter, an Outlook rule run by the client:
// no header says a rule sent it). The notification comes back forwarded,
// is kept, and the officer is told once; that notice comes back too and
// must not be told again, or the two go round without end.
func TestOfficerForwardingRuleDoesNotLoop(t *testing.T) {
	forwards := []struct {
		name string
		fw   func(in *inquiry.Mail) (subject, body string)
	}{
		{"Outlook", func(in *inquiry.Mail) (string, string) {
			return "FW: " + in.Subject, "\n________________________________\nFrom: Divizioni <komunikimi@mkrs.example>\n" +
				"Sent: Wednesday, November 25, 2026 11:00 AM\nTo: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nSubject: " + in.Subject + "\n\n" + in.Text
		}},
		{"Thunderbird", func(in *inquiry.Mail) (string, string) {
			return "Fwd: " + in.Subject, "\n\n-------- Forwarded Message --------\nSubject: \t" + in.Subject +
				"\nDate: \tWed, 25 Nov 2026 11:00:00 +0100\nFrom: \tDivizioni <komunikimi@mkrs.example>\nTo: \tjusuf.lushaku@mkrs.example\n\n" + in.Text
		}},
	}
	for _, tt := range forwards {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			notify := fileDocumentRequest(f)
			// toJusuf is what Sportel has queued for the officer, oldest first.
			toJusuf := func() []*inquiry.Mail {
				var out []*inquiry.Mail
				for _, j := range f.jobs("DKP-2026-000001") {
					if j.Mail != nil && len(j.Mail.To) > 0 && j.Mail.To[0].Address == "jusuf.lushaku@mkrs.example" {
						out = append(out, j.Mail)
					}
				}
				return out
			}
			forward := func(in *inquiry.Mail, id string) inquiry.Disposition {
				subject, body := tt.fw(in)
				raw := "From: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: " + subject +
					"\r\nMessage-ID: <" + id + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
					strings.ReplaceAll(body, "\n", "\r\n")
				return f.handle(parse.Parse([]byte(raw), f.now, parseOptions()))
			}
			sent := toJusuf()
			if len(sent) != 1 || sent[0].MessageID != notify.MessageID {
				t.Fatalf("before: %d mails to the officer, want the notification", len(sent))
			}
			// The rule forwards each mail as it arrives, a minute later.
			for round := 0; round < 5; round++ {
				f.now = f.now.Add(time.Minute)
				if d := forward(sent[len(sent)-1], "fw"+string(rune('0'+round))+"@mkrs.example"); d != inquiry.Attached {
					t.Fatalf("round %d: %s, want attached", round, d)
				}
				now := toJusuf()
				if len(now) == len(sent) {
					break
				}
				sent = now
			}
			if n := len(sent); n != 2 {
				var subjects []string
				for _, m := range sent {
					subjects = append(subjects, m.Subject)
				}
				t.Fatalf("%d mails to the officer, want the notification and one notice:\n%s", n, strings.Join(subjects, "\n"))
			}
			if n := len(f.tickets()); n != 1 {
				t.Errorf("%d tickets, want 1", n)
			}
			entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := countEntries(entries, inquiry.EntryNote); n < 2 {
				t.Errorf("%d notes: both forwards must be kept on the ticket", n)
			}

			// Past the hour a new mistaken mail about the ticket is told again.
			f.now = f.now.Add(2 * time.Hour)
			if d := forward(notify, "later@mkrs.example"); d != inquiry.Attached {
				t.Fatalf("later: %s, want attached", d)
			}
			if n := len(toJusuf()); n != 3 {
				t.Errorf("%d mails to the officer after the hour, want 3", n)
			}
		})
	}
}
