package desk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/classifier"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/route"
	"sportel/store/sqlite"
)

var officers = []inquiry.Officer{
	{ID: "osman", Name: "Osman D. Gashi", Email: "osman.gashi@mkrs.example"},
	{ID: "jusuf", Name: "Jusuf Lushaku", Email: "jusuf.lushaku@mkrs.example"},
	{ID: "zamira", Name: "Zamira Ahmeti", Email: "zamira.ahmeti@mkrs.example"},
}

type fixture struct {
	t     testing.TB
	desk  *desk.Desk
	store *sqlite.Store
	now   time.Time
}

func newFixture(t *testing.T) *fixture { t.Helper(); return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with the classifier wrapped by wrap.
func newFixtureWith(t *testing.T, wrap func(desk.Classifier) desk.Classifier) *fixture {
	t.Helper()
	return newFixtureConfig(t, wrap, nil)
}

// newFixtureConfig is newFixtureWith with the desk's configuration changed
// by configure.
func newFixtureConfig(t testing.TB, wrap func(desk.Classifier) desk.Classifier, configure func(*desk.Config)) *fixture {
	t.Helper()
	return newFixtureAt(t, filepath.Join(t.TempDir(), "sportel.db"), wrap, configure)
}

// newFixtureAt opens (or reopens, as a restarted process would) the store
// at path; edit, when set, changes the desk's configuration.
func newFixtureAt(t testing.TB, path string, wrap func(desk.Classifier) desk.Classifier, edit func(*desk.Config)) *fixture {
	t.Helper()
	builtin, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cls desk.Classifier = builtin
	if wrap != nil {
		cls = wrap(builtin)
	}
	return newFixtureClassifier(t, path, cls, edit)
}

// newFixtureClassifier is newFixtureAt with the classifier given, so a
// test that chooses every classification does not load the model.
func newFixtureClassifier(t testing.TB, path string, cls desk.Classifier, edit func(*desk.Config)) *fixture {
	t.Helper()
	return newFixtureStore(t, path, cls, edit, nil)
}

// newFixtureStore is newFixtureClassifier with the desk's store wrapped by
// wrap (the fixture's own reads still go to the store itself).
func newFixtureStore(t testing.TB, path string, cls desk.Classifier, edit func(*desk.Config), wrap func(desk.Store) desk.Store) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	router := route.New([]route.Rule{
		{Match: route.Match{Category: inquiry.DocumentRequest}, Officer: "jusuf"},
		{Match: route.Match{Category: inquiry.PressInquiry}, Officer: "osman"},
		{Officer: "zamira"},
	})
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	cfg := desk.Config{
		Mailbox:                   inquiry.Address{Name: "Divizioni për Komunikim Publik", Address: "komunikimi@mkrs.example"},
		Prefix:                    "DKP",
		Location:                  loc,
		DocumentDeadlineDays:      7,
		ReopenDays:                14,
		AckPer10Min:               3,
		AckPerDay:                 10,
		NotifyAttachmentsMaxBytes: 1 << 20,
		Officers:                  officers,
		RefusalGrounds:            testGrounds,
	}
	if edit != nil {
		edit(&cfg)
	}
	var ds desk.Store = st
	if wrap != nil {
		ds = wrap(st)
	}
	d, err := desk.New(cfg, ds, cls, router, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, desk: d, store: st, now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	d.SetClock(func() time.Time { return f.now })
	return f
}

func (f *fixture) handle(m *inquiry.Message) inquiry.Disposition {
	f.t.Helper()
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = f.now
	}
	if m.Channel == "" {
		m.Channel = inquiry.ChannelEmail
	}
	if m.SourceID == "" {
		m.SourceID = "msgid:" + m.MessageID
	}
	d, err := f.desk.Handle(context.Background(), m)
	if err != nil {
		f.t.Fatalf("Handle(%s): %v", m.SourceID, err)
	}
	return d
}

func (f *fixture) ticket(number string) inquiry.Ticket {
	f.t.Helper()
	t, ok, err := f.store.TicketByNumber(context.Background(), number)
	if err != nil || !ok {
		f.t.Fatalf("ticket %s: found=%v err=%v", number, ok, err)
	}
	return t
}

func (f *fixture) jobs(number string) []inquiry.Job {
	f.t.Helper()
	jobs, err := f.store.TicketJobs(context.Background(), f.ticket(number).ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return jobs
}

func (f *fixture) tickets() []inquiry.Ticket {
	f.t.Helper()
	ts, err := f.store.ListTickets(context.Background(), inquiry.TicketFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	return ts
}

func jobsOf(jobs []inquiry.Job, kind inquiry.JobKind) []inquiry.Job {
	var out []inquiry.Job
	for _, j := range jobs {
		if j.Kind == kind {
			out = append(out, j)
		}
	}
	return out
}

func citizen(id, from, subject, text string) *inquiry.Message {
	return &inquiry.Message{
		MessageID: id,
		From:      inquiry.Address{Address: from},
		Subject:   subject,
		Text:      text,
	}
}

const docRequestSQ = "Të nderuar, në bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren dhe raportin e pranimit të punimeve."

func TestNewInquiryFilesTicketWithAckAndNotification(t *testing.T) {
	tests := []struct {
		name     string
		subject  string
		text     string
		category inquiry.Category
		language inquiry.Language
		officer  string
		ackWords []string
	}{
		{"Albanian document request", "Kërkesë për dokumente", docRequestSQ, inquiry.DocumentRequest, inquiry.Albanian, "jusuf",
			[]string{"DKP-2026-000001", "kërkesë për qasje në dokumente publike", "02.12.2026"}},
		{"Serbian Cyrillic press inquiry", "Интервју", "Поштовани, новинар сам телевизије Мост. Молимо вас за интервју са министром о обнови позоришта.", inquiry.PressInquiry, inquiry.SerbianCyrl, "osman",
			[]string{"DKP-2026-000001", "упит медија"}},
		{"English general question", "Opening hours", "Hello, what are the opening hours of the ethnographic museum on Sundays? Thank you.", inquiry.GeneralQuestion, inquiry.English, "zamira",
			[]string{"DKP-2026-000001", "general question"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := citizen("q1@example.net", "qytetari@example.net", tt.subject, tt.text)
			m.From.Name = "Arta Krasniqi"
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("disposition %s, want filed", d)
			}
			tk := f.ticket("DKP-2026-000001")
			if tk.Category != tt.category || tk.Language != tt.language || tk.OfficerID != tt.officer || tk.State != inquiry.Assigned {
				t.Fatalf("ticket = %s/%s/%s/%s, want %s/%s/%s/assigned", tk.Category, tk.Language, tk.OfficerID, tk.State, tt.category, tt.language, tt.officer)
			}
			if (tk.Category == inquiry.DocumentRequest) == tk.DueAt.IsZero() {
				t.Errorf("due date %v for category %s", tk.DueAt, tk.Category)
			}
			jobs := f.jobs(tk.Number)
			acks, notes := jobsOf(jobs, inquiry.JobAck), jobsOf(jobs, inquiry.JobNotify)
			if len(acks) != 1 || len(notes) != 1 {
				t.Fatalf("jobs: %d acks, %d notifications; want 1 and 1", len(acks), len(notes))
			}
			ack := acks[0].Mail
			if ack.To[0].Address != "qytetari@example.net" || !ack.AutoReplied || ack.InReplyTo[0] != "q1@example.net" {
				t.Errorf("ack to %v, auto-replied %v, in-reply-to %v", ack.To, ack.AutoReplied, ack.InReplyTo)
			}
			if !strings.HasSuffix(ack.Subject, "[DKP-2026-000001]") || !strings.HasPrefix(ack.Subject, "Re: ") {
				t.Errorf("ack subject %q", ack.Subject)
			}
			for _, w := range tt.ackWords {
				if !strings.Contains(ack.Text, w) {
					t.Errorf("ack text lacks %q:\n%s", w, ack.Text)
				}
			}
			if !strings.HasSuffix(ack.MessageID, "@mkrs.example") {
				t.Errorf("ack Message-ID %q is not in our domain", ack.MessageID)
			}
			n := notes[0].Mail
			if n.To[0].Address != officerEmail(tt.officer) || n.ReplyTo == nil || n.ReplyTo.Address != "komunikimi@mkrs.example" {
				t.Errorf("notification to %v reply-to %v", n.To, n.ReplyTo)
			}
			if !strings.Contains(n.Subject, "DKP-2026-000001") || !strings.Contains(n.Text, tt.text[:40]) {
				t.Errorf("notification subject %q lacks number or text lacks the original", n.Subject)
			}
		})
	}
}

func officerEmail(id string) string {
	for _, o := range officers {
		if o.ID == id {
			return o.Email
		}
	}
	return ""
}

func TestIdempotentIntake(t *testing.T) {
	f := newFixture(t)
	m := citizen("same@example.net", "a@example.net", "Pyetje", "A është e hapur biblioteka të shtunën?")
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("first: %s", d)
	}
	again := citizen("same@example.net", "a@example.net", "Pyetje", "A është e hapur biblioteka të shtunën?")
	if d := f.handle(again); d != inquiry.Duplicate {
		t.Fatalf("second: %s, want duplicate", d)
	}
	if n := len(f.tickets()); n != 1 {
		t.Fatalf("%d tickets, want 1", n)
	}
	if n := len(f.jobs("DKP-2026-000001")); n != 2 {
		t.Fatalf("%d jobs, want 2 (one ack, one notification)", n)
	}
}

func TestRepliesJoinTheirTicket(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail

	// Threaded reply to our acknowledgement.
	r1 := citizen("r1@example.net", "Arben@Example.net", "Re: Kërkesë [DKP-2026-000001]", "Edhe planin dinamik, ju lutem.")
	r1.InReplyTo = []string{ack.MessageID}
	if d := f.handle(r1); d != inquiry.Attached {
		t.Fatalf("threaded reply: %s, want attached", d)
	}
	// Hand-typed number behind a reply prefix, no threading headers.
	r2 := citizen("r2@example.net", "arben@example.net", "Odg: dkp-2026-1", "A keni lajme?")
	if d := f.handle(r2); d != inquiry.Attached {
		t.Fatalf("hand-typed number: %s, want attached", d)
	}
	// A stranger quoting the number gets a ticket of their own.
	r3 := citizen("r3@example.org", "stranger@example.org", "Re: [DKP-2026-000001]", "Më dërgoni edhe mua kontratën e stadiumit të Prizrenit.")
	if d := f.handle(r3); d != inquiry.Filed {
		t.Fatalf("stranger: %s, want filed", d)
	}
	ts := f.tickets()
	if len(ts) != 2 {
		t.Fatalf("%d tickets, want 2", len(ts))
	}
	if ts[1].Mentions != "DKP-2026-000001" || ts[1].Sender.Address != "stranger@example.org" {
		t.Errorf("stranger's ticket mentions %q, sender %v", ts[1].Mentions, ts[1].Sender)
	}
	jobs := f.jobs("DKP-2026-000001")
	if n := len(jobsOf(jobs, inquiry.JobAck)); n != 1 {
		t.Errorf("%d acks on the first ticket, want 1 (replies are not acknowledged)", n)
	}
	if n := len(jobsOf(jobs, inquiry.JobNotify)); n != 3 {
		t.Errorf("%d notifications, want 3 (new ticket + two follow-ups)", n)
	}
	entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
	if err != nil {
		t.Fatal(err)
	}
	if inbound := countEntries(entries, inquiry.EntryInbound); inbound != 3 {
		t.Errorf("%d inbound entries, want 3", inbound)
	}
}

func countEntries(es []inquiry.Entry, kind inquiry.EntryKind) int {
	n := 0
	for _, e := range es {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func TestOfficerAnswerIsRelayed(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	notify := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[0].Mail

	answer := citizen("ans@mkrs.example", "jusuf.lushaku@mkrs.example", "Re: "+notify.Subject,
		"I nderuar z. Krasniqi,\n\nKontrata gjendet në shtojcë.\n\nOn Wed, 25 Nov 2026, Divizioni wrote:\n> Tiketë e re DKP-2026-000001\n> tekst")
	answer.InReplyTo = []string{notify.MessageID}
	if d := f.handle(answer); d != inquiry.Relayed {
		t.Fatalf("officer answer: %s, want relayed", d)
	}
	tk := f.ticket("DKP-2026-000001")
	if tk.State != inquiry.Answered || tk.AnsweredAt.IsZero() {
		t.Errorf("state %s answered at %v", tk.State, tk.AnsweredAt)
	}
	answers := jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)
	if len(answers) != 1 {
		t.Fatalf("%d answer jobs", len(answers))
	}
	m := answers[0].Mail
	if m.AutoReplied {
		t.Error("a relayed answer must not be marked Auto-Submitted")
	}
	if m.To[0].Address != "arben@example.net" || m.From.Address != "komunikimi@mkrs.example" || m.InReplyTo[0] != "orig@example.net" {
		t.Errorf("answer from %v to %v in-reply-to %v", m.From, m.To, m.InReplyTo)
	}
	if strings.Contains(m.Text, "> Tiketë") || strings.Contains(m.Text, "wrote:") || !strings.Contains(m.Text, "Kontrata gjendet") {
		t.Errorf("quoted notification not stripped:\n%s", m.Text)
	}
	if !strings.Contains(m.Subject, "[DKP-2026-000001]") {
		t.Errorf("answer subject %q", m.Subject)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets: the officer's mail must not open one", n)
	}

	// A citizen's follow-up sends the answered ticket back to the officer.
	follow := citizen("f1@example.net", "arben@example.net", "Re: [DKP-2026-000001]", "Faleminderit, por mungon aneksi.")
	f.handle(follow)
	if st := f.ticket(tk.Number).State; st != inquiry.Assigned {
		t.Errorf("after follow-up: %s, want assigned", st)
	}
}

func TestOfficerMailWithoutNotificationIsOrdinary(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	// Another officer replying to the acknowledgement (not to a notification
	// sent to them) is not relayed.
	m := citizen("o2@mkrs.example", "osman.gashi@mkrs.example", "Re: pyetje", "Kur fillon festivali i filmit?")
	m.InReplyTo = []string{ack.MessageID}
	if d := f.handle(m); d == inquiry.Relayed {
		t.Fatal("an officer's mail that answers no notification sent to them was relayed")
	}
	if n := len(jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)); n != 0 {
		t.Errorf("%d answers relayed", n)
	}
}

func TestMachineAndBulkMail(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail

	ooo := citizen("ooo@example.net", "arben@example.net", "Automatic reply: Re: Kërkesë [DKP-2026-000001]", "I am out of office.")
	ooo.Automation, ooo.AutomationReason = inquiry.Machine, "Auto-Submitted: auto-replied"
	ooo.InReplyTo = []string{ack.MessageID}
	if d := f.handle(ooo); d != inquiry.Attached {
		t.Fatalf("out-of-office: %s, want attached", d)
	}
	bounce := citizen("b1@mx.example", "MAILER-DAEMON@mx.example", "Undelivered Mail Returned to Sender", "550 no such user")
	bounce.Automation, bounce.AutomationReason = inquiry.Machine, "delivery report"
	bounce.References = []string{ack.MessageID}
	if d := f.handle(bounce); d != inquiry.Attached {
		t.Fatalf("bounce: %s, want attached", d)
	}
	stray := citizen("b2@mx.example", "MAILER-DAEMON@mx.example", "Undelivered Mail", "550")
	stray.Automation, stray.AutomationReason = inquiry.Machine, "delivery report"
	if d := f.handle(stray); d != inquiry.Recorded {
		t.Fatalf("unrelated bounce: %s, want recorded", d)
	}
	list := citizen("n1@list.example", "news@list.example", "Newsletter", "Our news this month.")
	list.Automation = inquiry.Bulk
	if d := f.handle(list); d != inquiry.Filed {
		t.Fatalf("bulk: %s, want filed", d)
	}
	spam := citizen("s1@spam.example", "win@spam.example", "You won", "Click here.")
	spam.Automation = inquiry.Spam
	f.handle(spam)

	if n := len(f.jobs("DKP-2026-000001")); n != 2 {
		t.Errorf("%d jobs on the first ticket: machine mail must notify nobody", n)
	}
	for number, state := range map[string]inquiry.State{"DKP-2026-000002": inquiry.BulkMail, "DKP-2026-000003": inquiry.SpamMail} {
		if tk := f.ticket(number); tk.State != state {
			t.Errorf("%s: %s, want %s", number, tk.State, state)
		}
		if n := len(f.jobs(number)); n != 0 {
			t.Errorf("%s: %d jobs, want none", number, n)
		}
	}
	set, err := f.store.ListSetAside(context.Background(), inquiry.SetAsideMachine, 0)
	if err != nil || len(set) != 1 {
		t.Fatalf("set aside: %d, %v; want 1", len(set), err)
	}
}

func TestSendersThatGetNoAck(t *testing.T) {
	tests := []struct {
		name    string
		msg     *inquiry.Message
		ackTo   string // "" = no ack
		disp    inquiry.Disposition
		tickets int
	}{
		{"contact form with Reply-To", &inquiry.Message{MessageID: "c1@web", From: inquiry.Address{Address: "no-reply@web.mkrs.example"},
			NoReplySender: true, ReplyTo: &inquiry.Address{Name: "Drita", Address: "drita@example.org"},
			Subject: "Formulari", Text: "Si aplikoj për leje për restaurimin e një monumenti?"}, "drita@example.org", inquiry.Filed, 1},
		{"no-reply without Reply-To", &inquiry.Message{MessageID: "c2@web", From: inquiry.Address{Address: "noreply@portal.example"},
			NoReplySender: true, Subject: "Pyetje", Text: "Kur hapet thirrja për bursa?"}, "", inquiry.Filed, 1},
		{"asks for no automatic replies", &inquiry.Message{MessageID: "c3@x", From: inquiry.Address{Address: "a@example.net"},
			SuppressAck: true, Subject: "Pyetje", Text: "Kur hapet thirrja për bursa?"}, "", inquiry.Filed, 1},
		{"no sender and no content is quarantined", &inquiry.Message{MessageID: "c4@x"}, "", inquiry.Quarantined, 0},
		{"no sender but content is ticketed", &inquiry.Message{MessageID: "c5@x", Text: "Dua kontratën e stadiumit."}, "", inquiry.Filed, 1},
		{"a scanned request with an empty body is a request", &inquiry.Message{MessageID: "c6@x", From: inquiry.Address{Address: "b@example.net"},
			Attachments: []inquiry.Attachment{{Name: "kerkese.pdf", ContentType: "application/pdf", Size: 3, Content: []byte("pdf")}}}, "b@example.net", inquiry.Filed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if d := f.handle(tt.msg); d != tt.disp {
				t.Fatalf("disposition %s, want %s", d, tt.disp)
			}
			ts := f.tickets()
			if len(ts) != tt.tickets {
				t.Fatalf("%d tickets, want %d", len(ts), tt.tickets)
			}
			if tt.tickets == 0 {
				q, err := f.store.ListSetAside(context.Background(), inquiry.SetAsideQuarantine, 0)
				if err != nil || len(q) != 1 {
					t.Fatalf("quarantined: %d %v", len(q), err)
				}
				jobs, err := f.store.ListJobs(context.Background(), inquiry.JobPending, 0)
				if err != nil || len(jobs) != 1 || jobs[0].Kind != inquiry.JobQuarantined || jobs[0].Recipient != "zamira" {
					t.Fatalf("the catch-all officer must be told: %+v %v", jobs, err)
				}
				return
			}
			acks := jobsOf(f.jobs(ts[0].Number), inquiry.JobAck)
			switch {
			case tt.ackTo == "" && len(acks) != 0:
				t.Errorf("ack sent to %v, want none", acks[0].Mail.To)
			case tt.ackTo != "" && (len(acks) != 1 || acks[0].Mail.To[0].Address != tt.ackTo):
				t.Errorf("acks %+v, want one to %s", acks, tt.ackTo)
			}
		})
	}
}

func TestAckRateLimit(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		f.handle(citizen(fmt.Sprintf("m%d@example.net", i), "busy@example.net", fmt.Sprintf("Pyetja %d", i), "Kur hapet muzeu?"))
		f.now = f.now.Add(time.Minute)
	}
	acks := 0
	for _, tk := range f.tickets() {
		acks += len(jobsOf(f.jobs(tk.Number), inquiry.JobAck))
	}
	if len(f.tickets()) != 5 || acks != 3 {
		t.Fatalf("%d tickets, %d acks; want 5 tickets (all mail is ticketed) and 3 acks", len(f.tickets()), acks)
	}
	f.now = f.now.Add(11 * time.Minute)
	f.handle(citizen("later@example.net", "busy@example.net", "Pyetja 6", "Kur hapet muzeu?"))
	if n := len(jobsOf(f.jobs("DKP-2026-000006"), inquiry.JobAck)); n != 1 {
		t.Errorf("after the window: %d acks, want 1", n)
	}
}

func TestReopenOrLinkClosedTicket(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	if _, err := f.desk.Close(context.Background(), "DKP-2026-000001", "", "", "test"); err == nil {
		t.Fatal("closing a document request without an outcome must fail")
	}
	if _, err := f.desk.Close(context.Background(), "DKP-2026-000001", inquiry.Granted, "dërguar", "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(3 * 24 * time.Hour)
	// Within reopen_days the reply joins the ticket; a decided request
	// stays decided until an officer reopens it (TestReplyToADecidedRequestKeepsTheDecision).
	if d := f.handle(citizen("r1@example.net", "arben@example.net", "Re: [DKP-2026-000001]", "Faleminderit, por mungon faqja 3.")); d != inquiry.Attached {
		t.Fatalf("within reopen_days: %s, want attached", d)
	}
	if tk := f.ticket("DKP-2026-000001"); tk.State != inquiry.Closed || tk.Outcome != inquiry.Granted {
		t.Fatalf("within reopen_days: %s/%s, want the decided request still closed as granted", tk.State, tk.Outcome)
	}
	if _, err := f.desk.Reopen(context.Background(), "DKP-2026-000001", "jusuf"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.CloseWith(context.Background(), "DKP-2026-000001", desk.Closing{Outcome: inquiry.PartlyGranted, Ground: "personal_data"}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(20 * 24 * time.Hour)
	f.handle(citizen("r2@example.net", "arben@example.net", "Re: [DKP-2026-000001]", "Dua edhe kontratën e vitit 2025."))
	ts := f.tickets()
	if len(ts) != 2 || ts[1].LinkedTo != "DKP-2026-000001" {
		t.Fatalf("after reopen_days: %d tickets, linked to %q; want a new ticket linked to the old one", len(ts), ts[len(ts)-1].LinkedTo)
	}
	if st := f.ticket("DKP-2026-000001").State; st != inquiry.Closed {
		t.Errorf("old ticket %s, want closed", st)
	}
}

func TestAssignNotifiesNewOfficer(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	if _, err := f.desk.Assign(context.Background(), "DKP-2026-000001", "nobody", "cli"); err == nil {
		t.Fatal("assigning to an unknown officer must fail")
	}
	tk, err := f.desk.Assign(context.Background(), "DKP-2026-000001", "zamira", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if tk.OfficerID != "zamira" {
		t.Fatalf("officer %s", tk.OfficerID)
	}
	notes := jobsOf(f.jobs(tk.Number), inquiry.JobNotify)
	last := notes[len(notes)-1].Mail
	if len(notes) != 2 || last.To[0].Address != "zamira.ahmeti@mkrs.example" || !strings.Contains(last.Text, "stadiumit") {
		t.Fatalf("notifications %d, last to %v", len(notes), last.To)
	}
}

// A document request's deadline follows the legal clock, and the
// acknowledgement gives its day in the ticket's language.
func TestDocumentRequestDeadline(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	working := desk.DeadlineFunc(calendar.Rules{Location: loc, Days: 7, Count: calendar.WorkingDays})
	const docRequestEN = "Under the Law on Access to Public Documents I request a copy of the contract for the national stadium."
	tests := []struct {
		name     string
		deadline func(time.Time) time.Time // nil: the desk's default, 7 calendar days
		received time.Time
		text     string
		wantDue  string
		wantAck  string
	}{
		{"calendar days, 24 December", nil, time.Date(2026, 12, 24, 16, 0, 0, 0, loc), docRequestSQ, "2026-12-31T23:59:59+01:00", "31.12.2026"},
		// Registered Monday 28 December; the 7th day, 4 January, is off
		// (for 2 January, a Saturday).
		{"calendar days, a Saturday", nil, time.Date(2026, 12, 26, 10, 0, 0, 0, loc), docRequestSQ, "2027-01-05T23:59:59+01:00", "05.01.2027"},
		{"UTC receipt dated in Kosovo", nil, time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), docRequestSQ, "2026-12-08T23:59:59+01:00", "08.12.2026"},
		{"working days, 24 December", working, time.Date(2026, 12, 24, 16, 0, 0, 0, loc), docRequestEN, "2027-01-08T23:59:59+01:00", "8 January 2027"},
		{"working days, a Saturday", working, time.Date(2026, 12, 26, 10, 0, 0, 0, loc), docRequestSQ, "2027-01-11T23:59:59+01:00", "11.01.2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) { c.DocumentDeadline = tt.deadline })
			m := citizen("doc@example.net", "qytetari@example.net", "Kërkesë", tt.text)
			m.ReceivedAt = tt.received
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("disposition %s", d)
			}
			tk := f.ticket("DKP-2026-000001")
			if tk.Category != inquiry.DocumentRequest {
				t.Fatalf("category %s", tk.Category)
			}
			if got := tk.DueAt.In(loc).Format(time.RFC3339); got != tt.wantDue {
				t.Errorf("due %s, want %s", got, tt.wantDue)
			}
			acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck)
			if len(acks) != 1 || !strings.Contains(acks[0].Mail.Text, tt.wantAck) {
				t.Errorf("acknowledgement lacks %q:\n%v", tt.wantAck, acks)
			}
		})
	}
}

func TestPublicGroupTicketWaitsForPrivateChat(t *testing.T) {
	f := newFixture(t)
	m := &inquiry.Message{Channel: inquiry.ChannelTelegram, SourceID: "tg:-1001:7", ChatID: -1001, UserID: 555, ChatMsgID: 7,
		From: inquiry.Address{Name: "Blerta"}, Public: true, Text: "A mund të më dërgoni kontratën për ndërtimin e sallës sportive në Pejë?"}
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	tk := f.tickets()[0]
	if tk.ChatID != 0 {
		t.Fatalf("public ticket chat %d, want 0 until the author opens a private chat", tk.ChatID)
	}
	acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck)
	if len(acks) != 1 || acks[0].Chat.ChatID != -1001 || strings.Contains(acks[0].Chat.Text, "Blerta") || !strings.Contains(acks[0].Chat.Text, "?start="+tk.Number) {
		t.Fatalf("public ack %+v", acks)
	}
	// An answer before the author opens a private chat is held back: never
	// posted to the group.
	if _, err := f.desk.Answer(context.Background(), tk.Number, "jusuf", "Kontrata në shtojcë."); err != nil {
		t.Fatal(err)
	}
	if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)); n != 0 {
		t.Fatalf("%d answer jobs before the private chat exists, want 0", n)
	}
	if st := f.ticket(tk.Number).State; st != inquiry.Answered {
		t.Errorf("state %s, want answered", st)
	}
	if _, err := f.desk.LinkPrivateChat(context.Background(), tk.Number, 999, 999); err == nil {
		t.Fatal("someone else linked the ticket")
	}
	for range 2 { // opening the link twice sends the held answer once
		if _, err := f.desk.LinkPrivateChat(context.Background(), tk.Number, 555, 555); err != nil {
			t.Fatal(err)
		}
	}
	answers := jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)
	if len(answers) != 1 || answers[0].Chat.ChatID != 555 || !strings.Contains(answers[0].Chat.Text, "Kontrata në shtojcë") {
		t.Fatalf("answer jobs %+v, want the held answer once, to the private chat 555", answers)
	}
	// Later answers go straight to the private chat.
	if _, err := f.desk.Answer(context.Background(), tk.Number, "jusuf", "Edhe aneksi."); err != nil {
		t.Fatal(err)
	}
	if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)); n != 2 {
		t.Fatalf("%d answer jobs, want 2", n)
	}
}

func TestAckDailyLimit(t *testing.T) {
	f := newFixture(t)
	for i := range 12 {
		f.handle(citizen(fmt.Sprintf("d%d@example.net", i), "daily@example.net", fmt.Sprintf("Pyetja %d", i), "Kur hapet muzeu?"))
		f.now = f.now.Add(11 * time.Minute) // never 3 within 10 minutes
	}
	acks := 0
	for _, tk := range f.tickets() {
		acks += len(jobsOf(f.jobs(tk.Number), inquiry.JobAck))
	}
	if len(f.tickets()) != 12 || acks != 10 {
		t.Fatalf("%d tickets, %d acks; want 12 tickets and 10 acks (the daily cap)", len(f.tickets()), acks)
	}
}

// A batch is taken in exactly as the same messages one by one would be,
// including a duplicate, a resend, replies to a ticket filed earlier in the
// batch, by its number and by the Message-ID of the mail that opened it,
// and more mail from one address than its acknowledgements are capped at:
// the SQLite store primed those look-ups as unknown when the batch began,
// and what the batch writes must count.
func TestHandleBatchMatchesOneByOne(t *testing.T) {
	batch := func() []*inquiry.Message {
		bounce := citizen("b1@mx.example", "MAILER-DAEMON@mx.example", "Undelivered", "550")
		bounce.Automation, bounce.AutomationReason = inquiry.Machine, "delivery report"
		reply := citizen("f@example.net", "arben@example.net", "Vendimi i vitit 2025", "Edhe vendimin e vitit 2025, ju lutem.")
		reply.InReplyTo = []string{"a@example.net"}
		msgs := []*inquiry.Message{
			citizen("a@example.net", "arben@example.net", "Kërkesë", docRequestSQ),
			reply,
			citizen("b@example.net", "besa@example.net", "Pyetje", "Kur hapet muzeu etnologjik të dielën?"),
			citizen("a@example.net", "arben@example.net", "Kërkesë", docRequestSQ), // the same mail again
			citizen("c@example.net", "arben@example.net", "Re: [DKP-2026-000001]", "Edhe aneksin, ju lutem."),
			citizen("d@example.org", "stranger@example.org", "Re: [DKP-2026-000001]", "Dua edhe unë kontratën."),
			// The first mail sent again under a new Message-ID.
			citizen("g@example.net", "arben@example.net", "Kërkesë", docRequestSQ),
			// More than the acknowledgement cap allows from one address.
			citizen("h1@example.net", "dita@example.net", "Pyetja 1", "Kur hapet muzeu?"),
			citizen("h2@example.net", "dita@example.net", "Pyetja 2", "Kur mbyllet muzeu?"),
			citizen("h3@example.net", "dita@example.net", "Pyetja 3", "Sa kushton bileta?"),
			citizen("h4@example.net", "dita@example.net", "Pyetja 4", "A ka guidë në anglisht?"),
			bounce,
			{MessageID: "e@example.net", SourceID: "msgid:e@example.net"}, // nothing usable: quarantined
		}
		for _, m := range msgs {
			m.Channel = inquiry.ChannelEmail
			if m.SourceID == "" {
				m.SourceID = "msgid:" + m.MessageID
			}
		}
		return msgs
	}
	one := newFixture(t)
	var want []inquiry.Disposition
	for _, m := range batch() {
		m.ReceivedAt = one.now
		want = append(want, one.handle(m))
	}
	many := newFixture(t)
	msgs := batch()
	for _, m := range msgs {
		m.ReceivedAt = many.now
	}
	got, err := many.desk.HandleBatch(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batch dispositions %v, one by one %v", got, want)
	}
	summary := func(f *fixture) string {
		var b strings.Builder
		for _, tk := range f.tickets() {
			fmt.Fprintf(&b, "%s %s %s %s %s %d jobs; ", tk.Number, tk.Sender.Address, tk.Category, tk.OfficerID, tk.Mentions, len(f.jobs(tk.Number)))
		}
		return b.String()
	}
	if a, b := summary(one), summary(many); a != b {
		t.Errorf("tickets differ:\none by one: %s\nbatch:      %s", a, b)
	}
	if got[1] != inquiry.Attached {
		t.Errorf("the reply to the batch's first mail: %v, want it attached to that mail's ticket", got[1])
	}
}

func TestUnknownLanguageGetsAlbanianWithEnglishLine(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("x@example.net", "someone@example.net", "", "???? 12345 !!!"))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	if !strings.Contains(ack.Text, "Faleminderit") || !strings.Contains(ack.Text, "English:") {
		t.Errorf("ack for an unknown language:\n%s", ack.Text)
	}
}

// countingClassifier counts classifications (each would be an LLM call).
// newCountingFixture is a fixture whose classifier counts its calls.
func newCountingFixture(t *testing.T) (*fixture, *countingClassifier) {
	t.Helper()
	var counter *countingClassifier
	f := newFixtureWith(t, func(c desk.Classifier) desk.Classifier {
		counter = &countingClassifier{Classifier: c}
		return counter
	})
	return f, counter
}

type countingClassifier struct {
	desk.Classifier
	calls atomic.Int64
	// before, when set, runs first in each Classify; calls may be
	// concurrent.
	before func()
}

func (c *countingClassifier) Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	c.calls.Add(1)
	if c.before != nil {
		c.before()
	}
	return c.Classifier.Classify(ctx, m)
}

// A redelivered message is recognised before it is classified: it costs no
// classification, alone or in a batch.
func TestRedeliveryIsNotClassified(t *testing.T) {
	f, counter := newCountingFixture(t)
	first := citizen("redeliver-1@example.net", "arben@example.net", "Pyetje", "Kur hapet muzeu?")
	second := citizen("redeliver-2@example.net", "drita@example.net", "Kërkesë", docRequestSQ)
	second.SourceID, second.Channel, second.ReceivedAt = "msgid:redeliver-2@example.net", inquiry.ChannelEmail, f.now
	if d := f.handle(first); d != inquiry.Filed {
		t.Fatalf("first delivery: %s", d)
	}
	if n := counter.calls.Load(); n != 1 {
		t.Fatalf("first delivery classified %d times, want 1", n)
	}
	if d := f.handle(first); d != inquiry.Duplicate {
		t.Fatalf("redelivery: %s, want duplicate", d)
	}
	if n := counter.calls.Load(); n != 1 {
		t.Errorf("a redelivery was classified: %d calls, want still 1", n)
	}
	ds, err := f.desk.HandleBatch(context.Background(), []*inquiry.Message{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds, []inquiry.Disposition{inquiry.Duplicate, inquiry.Filed}) {
		t.Fatalf("batch: %v, want [duplicate filed]", ds)
	}
	if n := counter.calls.Load(); n != 2 {
		t.Errorf("after a batch of one redelivery and one new inquiry: %d classifications, want 2", n)
	}
}

// An officer answering, as the notification asks, a ticket whose citizen
// left no address: the answer is kept and the officer told, and the message
// is taken in rather than failing for ever (and blocking the mail after it).
func TestAnswerToTicketWithoutAddress(t *testing.T) {
	f := newFixture(t)
	orig := citizen("noaddr@example.net", "", "Pyetje", "Kur hapet muzeu i qytetit?")
	orig.From.Name = "Qytetar pa adresë"
	if d := f.handle(orig); d != inquiry.Filed {
		t.Fatalf("a mail without an address but with content: %s, want filed", d)
	}
	notify := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[0].Mail
	answer := citizen("ans-noaddr@mkrs.example", "zamira.ahmeti@mkrs.example", "Re: "+notify.Subject, "Muzeu hapet në ora 9.")
	answer.InReplyTo = []string{notify.MessageID}
	if d := f.handle(answer); d != inquiry.Attached {
		t.Fatalf("answer to a ticket without address: %s, want attached", d)
	}
	told := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobQuarantined)
	if len(told) != 1 || told[0].Recipient != "zamira" || !strings.Contains(told[0].Mail.Text, "nuk iu dërgua") {
		t.Fatalf("officer told: %+v", told)
	}
	if n := len(jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)); n != 0 {
		t.Errorf("%d answer jobs to nobody", n)
	}
	entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != inquiry.EntryNote || !strings.Contains(last.Text, "Muzeu hapet në ora 9.") {
		t.Errorf("the answer is not on the record: %+v", last)
	}
	// Handled once, it is a duplicate after that, like any message.
	if d := f.handle(answer); d != inquiry.Duplicate {
		t.Errorf("again: %s, want duplicate", d)
	}

	// From the workspace or Telegram the answer is refused as the
	// officer's to mend, in their language, not said as a failure of the
	// system, and nothing is queued.
	_, err = f.desk.Answer(context.Background(), "DKP-2026-000001", "zamira", "Muzeu hapet në ora 10.")
	var r *desk.Refusal
	if !errors.As(err, &r) || r.Kind != desk.RefusedNoAddress || r.Ticket != "DKP-2026-000001" {
		t.Fatalf("Answer on a ticket without address: %v (%T), want a no_address refusal", err, err)
	}
	if got := desk.OfficerText(err, inquiry.Albanian); !strings.Contains(got, "nuk ka adresë ku të dërgohet përgjigja") {
		t.Errorf("the officer reads %q", got)
	}
	if n := len(jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)); n != 0 {
		t.Errorf("%d answer jobs to nobody after the refusal", n)
	}
}

func TestQuarantine(t *testing.T) {
	tests := []struct {
		name     string
		from     string
		wantTold []string
	}{
		{"a citizen's mail: the catch-all officer is told", "arben@example.net", []string{"zamira"}},
		{"an officer's own mail: that officer too", "jusuf.lushaku@mkrs.example", []string{"zamira", "jusuf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := citizen("poison@example.net", tt.from, "Re: [DKP-2026-000009]", "tekst")
			m.SourceID, m.Channel, m.ReceivedAt = "msgid:poison@example.net", inquiry.ChannelEmail, f.now
			d, err := f.desk.Quarantine(context.Background(), m, "keeps failing: boom")
			if err != nil || d != inquiry.Quarantined {
				t.Fatalf("Quarantine = %s, %v", d, err)
			}
			set, err := f.store.ListSetAside(context.Background(), inquiry.SetAsideQuarantine, 0)
			if err != nil || len(set) != 1 || !strings.Contains(set[0].Reason, "boom") {
				t.Fatalf("set aside: %+v, %v", set, err)
			}
			jobs, err := f.store.ListJobs(context.Background(), inquiry.JobPending, 0)
			if err != nil {
				t.Fatal(err)
			}
			var told []string
			for _, j := range jobs {
				if j.Kind == inquiry.JobQuarantined {
					told = append(told, j.Recipient)
				}
			}
			slices.Sort(told)
			want := slices.Sorted(slices.Values(tt.wantTold))
			if !slices.Equal(told, want) {
				t.Errorf("told %v, want %v", told, want)
			}
			// The message is taken in: delivered again, it is a duplicate.
			if d := f.handle(m); d != inquiry.Duplicate {
				t.Errorf("after quarantine: %s, want duplicate", d)
			}
			if d, err := f.desk.Quarantine(context.Background(), m, "again"); err != nil || d != inquiry.Duplicate {
				t.Errorf("second Quarantine = %s, %v; want duplicate", d, err)
			}
		})
	}
}

// An officer's answer too large to read whole is never relayed cut short:
// it is kept on the record and the officer is told where the whole mail is.
// Its #commands are not applied either, and the officer is told so.
func TestTooLargeOfficerAnswerIsNotRelayed(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		commands bool
	}{
		{"answer only", "Kontrata gjendet në shtojcë.", false},
		{"answer with a command", "Kontrata gjendet në shtojcë.\n#close granted", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.handle(citizen("big-orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			notify := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[0].Mail
			answer := citizen("big-ans@mkrs.example", "jusuf.lushaku@mkrs.example", "Re: "+notify.Subject, tt.text)
			answer.InReplyTo = []string{notify.MessageID}
			answer.TooLarge, answer.Size, answer.KeptIn = true, 40<<20, "Sportel/Quarantine"
			answer.ParseProblems = []string{"too large (41943040 bytes, the limit is 26214400)"}
			if d := f.handle(answer); d != inquiry.Attached {
				t.Fatalf("too-large officer answer: %s, want attached", d)
			}
			if n := len(jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)); n != 0 {
				t.Errorf("%d answer jobs: a partly read answer must not reach the citizen", n)
			}
			told := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobQuarantined)
			if len(told) != 1 || told[0].Recipient != "jusuf" || !strings.Contains(told[0].Mail.Text, "Sportel/Quarantine") {
				t.Fatalf("officer told: %+v", told)
			}
			if got := strings.Contains(told[0].Mail.Text, "As komandat (#) në të nuk u zbatuan"); got != tt.commands {
				t.Errorf("told of commands not applied: %v, want %v:\n%s", got, tt.commands, told[0].Mail.Text)
			}
			tk := f.ticket("DKP-2026-000001")
			if tk.State != inquiry.Assigned || tk.Outcome != "" {
				t.Errorf("ticket %s/%s: nothing was answered or closed", tk.State, tk.Outcome)
			}
		})
	}
}

// Attachments whose bytes the raw mail holds are recorded once: the entry
// keeps their name, type and size, and the officer's notifications (the
// first one and one after a reassignment) name them in the entry instead of
// carrying a copy. Without a whole raw mail they are copied as before.
func TestAttachmentsAreStoredOnce(t *testing.T) {
	pdf := inquiry.Attachment{Name: "kerkese.pdf", ContentType: "application/pdf", Size: 3, Content: []byte("pdf")}
	big := inquiry.Attachment{Name: "skanim.tif", ContentType: "image/tiff", Size: 2 << 20, Content: make([]byte, 2<<20)}
	tests := []struct {
		name   string
		raw    []byte
		rawCut bool
		inRaw  bool // the bytes are kept only in the raw mail
	}{
		{"whole raw mail", []byte("From: a@example.net\r\n\r\nraw"), false, true},
		{"raw mail cut at the cap", []byte("From: a@example.net\r\n\r\nra"), true, false},
		{"no raw mail", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := citizen("att@example.net", "arben@example.net", "Kërkesë", docRequestSQ)
			m.Raw, m.RawTruncated = tt.raw, tt.rawCut
			// The second is over the notification cap (1 MiB in the fixture).
			m.Attachments = []inquiry.Attachment{pdf, big}
			f.handle(m)
			tk := f.ticket("DKP-2026-000001")
			entries, err := f.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			e := entries[0]
			if len(e.Attachments) != 2 || e.Attachments[0].Name != pdf.Name || e.Attachments[1].Size != big.Size {
				t.Fatalf("entry attachments %+v", e.Attachments)
			}
			if got := len(e.Attachments[0].Content) > 0; got == tt.inRaw {
				t.Errorf("entry keeps the content: %v, want %v", got, !tt.inRaw)
			}

			if _, err := f.desk.Assign(context.Background(), tk.Number, "osman", "test"); err != nil {
				t.Fatal(err)
			}
			notes := jobsOf(f.jobs(tk.Number), inquiry.JobNotify)
			if len(notes) < 2 {
				t.Fatalf("%d notifications, want the first and the reassignment's", len(notes))
			}
			for _, j := range notes {
				if j.Mail == nil {
					continue
				}
				if tt.inRaw {
					want := &inquiry.AttachmentRef{TicketID: tk.ID, EntryID: e.ID, Indexes: []int{0}}
					if len(j.Mail.Attachments) != 0 || !reflect.DeepEqual(j.Mail.AttachFrom, want) {
						t.Errorf("notification to %s: attachments %d, refers to %+v; want none and %+v",
							j.Recipient, len(j.Mail.Attachments), j.Mail.AttachFrom, want)
					}
				} else if j.Mail.AttachFrom != nil || len(j.Mail.Attachments) != 1 || !bytes.Equal(j.Mail.Attachments[0].Content, pdf.Content) {
					t.Errorf("notification to %s: %d attachments, refers to %+v; want the pdf copied", j.Recipient, len(j.Mail.Attachments), j.Mail.AttachFrom)
				}
				if !strings.Contains(j.Mail.Text, big.Name) {
					t.Errorf("notification to %s does not list %s, over the cap", j.Recipient, big.Name)
				}
			}
		})
	}
}

// A reply to a message Sportel never saw (a quarter of real mail quotes
// one) is a new inquiry: it is classified ahead with the rest of its batch,
// before the batch's transaction, instead of stopping the batch to be
// classified on its own; a reply to a known message still joins its ticket.
func TestReplyToUnknownMessageIsClassifiedAhead(t *testing.T) {
	f, counter := newCountingFixture(t)
	first := citizen("known-1@example.net", "arben@example.net", "Pyetje", "Kur hapet muzeu?")
	if d := f.handle(first); d != inquiry.Filed {
		t.Fatalf("first: %s", d)
	}
	// Record how many tickets exist whenever a classification is made.
	var mu sync.Mutex
	var ticketsAtClassify []int
	counter.before = func() {
		n, err := f.store.CountTickets(context.Background())
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		ticketsAtClassify = append(ticketsAtClassify, n)
	}
	batch := []*inquiry.Message{
		citizen("plain-new@example.net", "besa@example.net", "Kërkesë", docRequestSQ),
		citizen("known-reply@example.net", "arben@example.net", "Re: Pyetje", "Edhe të dielave?"),
		citizen("unknown-reply@example.net", "drita@example.net", "Re: Bursat", "Përshëndetje, a ka bursa për sportistët e rinj këtë vit?"),
		citizen("known-reference@example.net", "arben@example.net", "Re: Re: Pyetje", "Dhe të shtunave?"),
	}
	batch[1].InReplyTo = []string{"known-1@example.net"}
	batch[2].InReplyTo = []string{"never-seen@other.example"}
	batch[2].References = []string{"older@other.example", "never-seen@other.example"}
	// Known only by its References (In-Reply-To names a message of a
	// client that never reached us).
	batch[3].InReplyTo = []string{"lost@example.net"}
	batch[3].References = []string{"known-1@example.net", "lost@example.net"}
	for _, m := range batch {
		m.SourceID, m.Channel, m.ReceivedAt = "msgid:"+m.MessageID, inquiry.ChannelEmail, f.now
	}
	ds, err := f.desk.HandleBatch(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if want := []inquiry.Disposition{inquiry.Filed, inquiry.Attached, inquiry.Filed, inquiry.Attached}; !slices.Equal(ds, want) {
		t.Fatalf("dispositions %v, want %v", ds, want)
	}
	// Both new inquiries were classified before the batch committed
	// anything: one ticket existed each time.
	if !slices.Equal(ticketsAtClassify, []int{1, 1}) {
		t.Errorf("tickets at each classification: %v, want [1 1] (two, both before the batch's commit)", ticketsAtClassify)
	}
}

func TestFollowUpNotificationNamesTheTicketOnce(t *testing.T) {
	tests := []struct {
		name, subject, want string
	}{
		{"reply to the acknowledgement", "Re: Kërkesë [DKP-2026-000001]", "[DKP-2026-000001] Mesazh i ri: Re: Kërkesë"},
		{"number inside the subject", "Pyetje [DKP-2026-000001] sërish", "[DKP-2026-000001] Mesazh i ri: Pyetje sërish"},
		{"nothing but the number", "[DKP-2026-000001]", "[DKP-2026-000001] Mesazh i ri: (pa subjekt)"},
		{"no number", "Edhe planin dinamik", "[DKP-2026-000001] Mesazh i ri: Edhe planin dinamik"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			r := citizen("r@example.net", "arben@example.net", tt.subject, "Edhe planin dinamik, ju lutem.")
			r.InReplyTo = []string{ack.MessageID}
			if d := f.handle(r); d != inquiry.Attached {
				t.Fatalf("follow-up: %s, want attached", d)
			}
			notes := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)
			if len(notes) != 2 {
				t.Fatalf("%d notifications, want 2 (new ticket + follow-up)", len(notes))
			}
			if got := notes[1].Mail.Subject; got != tt.want {
				t.Errorf("follow-up notification subject %q, want %q", got, tt.want)
			}
		})
	}
}

// AnswerOnce sends an answer once for each key: handed over again (a
// replayed Telegram update) it reports again and queues nothing; another
// key is another answer.
func TestAnswerOnceByKey(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("once-1@example.net", "qytetari@example.net", "Pyetje", "Kur hapet muzeu të dielën?"))
	tk := f.tickets()[0]
	ctx := context.Background()
	tests := []struct {
		name      string
		key       string
		wantAgain bool
		wantErr   bool
		answers   int // answer jobs after the call
	}{
		{"first", "tgofficer:503:10", false, false, 1},
		{"the same message again", "tgofficer:503:10", true, false, 1},
		{"another message", "tgofficer:503:11", false, false, 2},
		{"no key", "", false, true, 2},
	}
	for _, tt := range tests {
		_, again, err := f.desk.AnswerOnce(ctx, tt.key, tk.Number, "jusuf", "Muzeu hapet në orën 10.")
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err %v, want error %v", tt.name, err, tt.wantErr)
		}
		if again != tt.wantAgain {
			t.Errorf("%s: again %v, want %v", tt.name, again, tt.wantAgain)
		}
		if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAnswer)); n != tt.answers {
			t.Errorf("%s: %d answer jobs, want %d", tt.name, n, tt.answers)
		}
	}
}

// CloseWithOnce closes once for each key: the same closing form sent again
// (a double click) reports again rather than a refusal to close a closed
// ticket; another closing is refused as CloseWith refuses it.
func TestCloseWithOnceByKey(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("close-once-1@example.net", "qytetari@example.net", "Pyetje", "Kur hapet muzeu të dielën?"))
	tk := f.tickets()[0]
	ctx := context.Background()
	closings := func() int {
		entries, err := f.store.Entries(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "closed: ") {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name      string
		key       string
		wantAgain bool
		refusal   desk.RefusalKind // "" : no refusal
		wantErr   bool
	}{
		{"first", "webclose:a", false, "", false},
		{"the same form again", "webclose:a", true, "", false},
		{"another form", "webclose:b", false, desk.RefusedClosed, true},
		{"no key", "", false, "", true},
	}
	for _, tt := range tests {
		_, again, err := f.desk.CloseWithOnce(ctx, tt.key, tk.Number, desk.Closing{Outcome: inquiry.Resolved}, "jusuf")
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err %v, want error %v", tt.name, err, tt.wantErr)
		}
		var r *desk.Refusal
		if tt.refusal != "" && (!errors.As(err, &r) || r.Kind != tt.refusal) {
			t.Errorf("%s: err %v, want refusal %s", tt.name, err, tt.refusal)
		}
		if again != tt.wantAgain {
			t.Errorf("%s: again %v, want %v", tt.name, again, tt.wantAgain)
		}
		if n := closings(); n != 1 {
			t.Errorf("%s: %d closings recorded, want 1", tt.name, n)
		}
	}
}

func TestNoteOnceByKey(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("note-once-1@example.net", "qytetari@example.net", "Pyetje", "Kur hapet muzeu të dielën?"))
	tk := f.tickets()[0]
	ctx := context.Background()
	notes := func() int {
		entries, err := f.store.Entries(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Kind == inquiry.EntryNote && e.Text == "Pyeta muzeun." {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name      string
		key       string
		wantAgain bool
		wantErr   bool
		notes     int // notes after the call
	}{
		{"first", "webnote:a", false, false, 1},
		{"the same form again", "webnote:a", true, false, 1},
		{"another form", "webnote:b", false, false, 2},
		{"no key", "", false, true, 2},
	}
	for _, tt := range tests {
		_, again, err := f.desk.NoteOnce(ctx, tt.key, tk.Number, "jusuf", "Pyeta muzeun.")
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err %v, want error %v", tt.name, err, tt.wantErr)
		}
		if again != tt.wantAgain {
			t.Errorf("%s: again %v, want %v", tt.name, again, tt.wantAgain)
		}
		if n := notes(); n != tt.notes {
			t.Errorf("%s: %d notes, want %d", tt.name, n, tt.notes)
		}
	}
}
