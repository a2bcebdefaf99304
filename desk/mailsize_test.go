package desk_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

// An officer's answer the relay refuses as too large fails for good; its
// officer hears, once however often the outbox asks, what did not go and
// why, and the ticket keeps a note of it.
func TestAnswerTooLargeTellsItsOfficer(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	notify := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[0].Mail
	answer := citizen("ans@mkrs.example", "jusuf.lushaku@mkrs.example", "Re: "+notify.Subject, "Kontrata gjendet në shtojcë.")
	answer.InReplyTo = []string{notify.MessageID}
	answer.Raw = []byte("From: jusuf.lushaku@mkrs.example\r\n\r\nraw")
	answer.Attachments = []inquiry.Attachment{{Name: "kontrata-skanuar.pdf", ContentType: "application/pdf", Size: 18 << 20}}
	if d := f.handle(answer); d != inquiry.Relayed {
		t.Fatalf("officer answer: %s, want relayed", d)
	}
	answers := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)
	if len(answers) != 1 || answers[0].Mail == nil || answers[0].Mail.AttachFrom == nil {
		t.Fatalf("answer jobs %+v, want one mail naming the stored file", answers)
	}
	reason := "smtp data: end: 552 5.3.4 Message size exceeds fixed limit"
	for range 2 { // asked again after a crash: told once
		if err := f.desk.AnswerUndelivered(context.Background(), answers[0], reason, true); err != nil {
			t.Fatal(err)
		}
	}
	var told []inquiry.Job
	for _, j := range jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobCommandReport) {
		if j.Mail != nil && strings.Contains(j.Mail.Text, "NUK iu dërgua") {
			told = append(told, j)
		}
	}
	if len(told) != 1 {
		t.Fatalf("%d notices of the answer not sent, want 1", len(told))
	}
	m := told[0].Mail
	if m.To[0].Address != "jusuf.lushaku@mkrs.example" || !strings.Contains(m.Text, "kontrata-skanuar.pdf") || !strings.Contains(m.Text, "552 5.3.4") {
		t.Errorf("notice to %v:\n%s\nwant it to Jusuf, naming the file and the relay's reason", m.To, m.Text)
	}
	entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, e := range entries {
		if strings.Contains(e.Text, "answer not sent: too large for the mail relay") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes on the ticket, want 1", notes)
	}
}

// An officer's answer or legal notice refused for good (a mailbox that does
// not exist, a citizen who blocked the bot) never reached the citizen: its
// officer hears it by mail, and in Telegram when officers are notified
// there, once however often the outbox asks, with what to do and why; the
// ticket keeps a note.
func TestAnswerUndeliveredTellsItsOfficer(t *testing.T) {
	mailJob := func(kind inquiry.JobKind) inquiry.Job {
		return inquiry.Job{ID: 9001, Kind: kind, Recipient: "arben@example.net",
			Mail: &inquiry.Mail{MessageID: "sportel." + string(kind) + ".9001@mkrs.example", Text: "Kontrata gjendet në arkiv."}}
	}
	chatAnswer := inquiry.Job{ID: 9002, Kind: inquiry.JobAnswer, Recipient: "tg:4242",
		Chat: &inquiry.ChatMessage{ChatID: 4242, Text: "Kontrata gjendet në arkiv.", Officer: "zamira"}}
	tests := []struct {
		name        string
		job         inquiry.Job
		reason      string
		telegram    bool // officers are notified in Telegram too
		wantTo      string
		wantSubject string
		wantText    []string
		wantNote    string
	}{
		{"mail answer, no such mailbox", mailJob(inquiry.JobAnswer), "smtp rcpt: 550 5.1.1 no such user", false,
			"jusuf.lushaku@mkrs.example", "Sportel: përgjigjja nuk u dërgua [DKP-2026-000001]",
			[]string{"Përgjigjja juaj për DKP-2026-000001 NUK iu dërgua qytetarit", "refuzoi përfundimisht", "550 5.1.1 no such user", "sportel tickets show DKP-2026-000001"},
			"answer not delivered, refused for good: smtp rcpt: 550 5.1.1 no such user"},
		{"legal notice, no such mailbox", mailJob(inquiry.JobNotice), "smtp rcpt: 550 5.1.1 no such user", true,
			"jusuf.lushaku@mkrs.example", "Sportel: njoftimi nuk u dërgua [DKP-2026-000001]",
			[]string{"Njoftimi për DKP-2026-000001 që ligji e kërkon", "NUK iu dërgua", "550 5.1.1"},
			"notice not delivered, refused for good"},
		{"telegram answer, bot blocked: its writer told, not the assignee", chatAnswer, "Forbidden: bot was blocked by the user", true,
			"zamira.ahmeti@mkrs.example", "Sportel: përgjigjja nuk u dërgua [DKP-2026-000001]",
			[]string{"NUK iu dërgua qytetarit në Telegram", "bot was blocked by the user"},
			"answer not delivered, refused for good: Forbidden: bot was blocked by the user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) {
				if tt.telegram {
					c.NotifyByTelegram = true
					c.Officers = slices.Clone(c.Officers)
					for i := range c.Officers {
						c.Officers[i].TelegramUserID = int64(100 + i)
					}
				}
			})
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			tk := f.ticket("DKP-2026-000001")
			j := tt.job
			j.TicketID = tk.ID
			for range 2 { // asked again after a crash: told once
				if err := f.desk.AnswerUndelivered(context.Background(), j, tt.reason, false); err != nil {
					t.Fatal(err)
				}
			}
			var mails, chats []inquiry.Job
			for _, r := range jobsOf(f.jobs(tk.Number), inquiry.JobCommandReport) {
				if r.Mail != nil {
					mails = append(mails, r)
				} else {
					chats = append(chats, r)
				}
			}
			if len(mails) != 1 {
				t.Fatalf("%d mails to the officer, want 1", len(mails))
			}
			m := mails[0].Mail
			if m.To[0].Address != tt.wantTo || m.Subject != tt.wantSubject {
				t.Errorf("told %v with subject %q, want %s with %q", m.To, m.Subject, tt.wantTo, tt.wantSubject)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(m.Text, want) {
					t.Errorf("the notice lacks %q:\n%s", want, m.Text)
				}
			}
			wantChats := 0
			if tt.telegram {
				wantChats = 1
			}
			if len(chats) != wantChats || wantChats == 1 && chats[0].Chat.Text != m.Text {
				t.Errorf("%d Telegram notices %+v, want %d saying what the mail says", len(chats), chats, wantChats)
			}
			entries, err := f.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			notes := 0
			for _, e := range entries {
				if e.Kind == inquiry.EntryNote && strings.Contains(e.Text, tt.wantNote) {
					notes++
				}
			}
			if notes != 1 {
				t.Errorf("%d notes %q on the ticket, want 1", notes, tt.wantNote)
			}
		})
	}
	t.Run("an officer only in Telegram hears it there", func(t *testing.T) {
		f := newFixtureConfig(t, nil, func(c *desk.Config) {
			c.NotifyByTelegram = true
			c.Officers = slices.Clone(c.Officers)
			for i := range c.Officers {
				if c.Officers[i].ID == "jusuf" {
					c.Officers[i].Email, c.Officers[i].TelegramUserID = "", 101
				}
			}
		})
		f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
		j := mailJob(inquiry.JobAnswer)
		j.TicketID = f.ticket("DKP-2026-000001").ID
		for range 2 {
			if err := f.desk.AnswerUndelivered(context.Background(), j, "550 5.1.1 no such user", false); err != nil {
				t.Fatal(err)
			}
		}
		var mails, chats int
		for _, r := range jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobCommandReport) {
			switch {
			case r.Mail != nil:
				mails++
			case r.Chat.ChatID == 101 && strings.Contains(r.Chat.Text, "NUK iu dërgua"):
				chats++
			}
		}
		if mails != 0 || chats != 1 {
			t.Errorf("%d mails and %d Telegram notices, want none and one", mails, chats)
		}
	})
	t.Run("an officer no longer configured: the catch-all officer hears it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sportel.db")
		first := newFixtureAt(t, path, nil, nil)
		first.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
		f := newFixtureAt(t, path, nil, func(c *desk.Config) {
			c.Officers = slices.DeleteFunc(slices.Clone(c.Officers), func(o inquiry.Officer) bool { return o.ID == "jusuf" })
		})
		j := mailJob(inquiry.JobAnswer)
		j.TicketID = f.ticket("DKP-2026-000001").ID
		if err := f.desk.AnswerUndelivered(context.Background(), j, "550 5.1.1 no such user", false); err != nil {
			t.Fatalf("an officer no longer configured: %v; want the catch-all told", err)
		}
		reports := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobCommandReport)
		if len(reports) != 1 || reports[0].Mail == nil || reports[0].Mail.To[0].Address != "zamira.ahmeti@mkrs.example" {
			t.Errorf("reports %+v, want one mail to Zamira, the catch-all officer", reports)
		}
	})
	t.Run("an acknowledgement is no officer's words", func(t *testing.T) {
		f := newFixture(t)
		if err := f.desk.AnswerUndelivered(context.Background(), mailJob(inquiry.JobAck), "550", false); err == nil {
			t.Error("told of an acknowledgement; want an error")
		}
	})
}

// A file Telegram refused after an answer's text went is told to someone
// configured, whoever the job names: the officer who wrote it, else the
// ticket's, else the catch-all officer. An error there kept the job
// sending the refused file again until its attempts ran out, and nobody
// was told.
func TestChatFileRefusedTellsSomeoneConfigured(t *testing.T) {
	tests := []struct {
		name        string
		writer      string
		dropJusuf   bool // the ticket's officer left the configuration
		wantAddress string
	}{
		{"the writer", "osman", false, "osman.gashi@mkrs.example"},
		{"a writer no longer configured: the ticket's officer", "gone", false, "jusuf.lushaku@mkrs.example"},
		{"neither configured: the catch-all officer", "gone", true, "zamira.ahmeti@mkrs.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sportel.db")
			first := newFixtureAt(t, path, nil, nil)
			first.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			f := first
			if tt.dropJusuf {
				f = newFixtureAt(t, path, nil, func(c *desk.Config) {
					c.Officers = slices.DeleteFunc(slices.Clone(c.Officers), func(o inquiry.Officer) bool { return o.ID == "jusuf" })
				})
			}
			j := inquiry.Job{ID: 9003, Kind: inquiry.JobAnswer, TicketID: f.ticket("DKP-2026-000001").ID, Recipient: "tg:4242",
				Chat: &inquiry.ChatMessage{ChatID: 4242, Text: "Kontrata.", Officer: tt.writer}}
			if err := f.desk.ChatFileRefused(context.Background(), j, "kontrata.pdf", nil, "Bad Request: file is too big"); err != nil {
				t.Fatalf("ChatFileRefused: %v; want someone told", err)
			}
			reports := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobCommandReport)
			if len(reports) != 1 || reports[0].Mail == nil || reports[0].Mail.To[0].Address != tt.wantAddress {
				t.Errorf("reports %+v, want one mail to %s", reports, tt.wantAddress)
			}
		})
	}
}
