package desk_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/store"
)

const quiet = 2 * time.Minute

func newQuietFixture(t *testing.T, path string) *fixture {
	t.Helper()
	return newFixtureAt(t, path, nil, func(c *desk.Config) { c.NotifyQuiet = quiet })
}

// sendDue stands in for the outbox: every job due at f.now is sent.
func (f *fixture) sendDue() {
	f.t.Helper()
	ctx := context.Background()
	jobs, err := f.store.ClaimJobs(ctx, "test", f.now, time.Minute, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var sent []store.SentJob
	for _, j := range jobs {
		sent = append(sent, store.SentJob{ID: j.ID})
	}
	if _, err := f.store.FinishJobs(ctx, "test", sent, f.now); err != nil {
		f.t.Fatal(err)
	}
}

// followUp is the citizen's i-th reply to their acknowledgement.
func followUp(i int, ack *inquiry.Mail) *inquiry.Message {
	m := citizen(fmt.Sprintf("r%d@example.net", i), "arben@example.net", "Re: Kërkesë [DKP-2026-000001]", fmt.Sprintf("Mesazhi %d: a keni lajme për kontratën?", i))
	m.InReplyTo = []string{ack.MessageID}
	return m
}

func TestFollowUpNotificationsAreCoalesced(t *testing.T) {
	tests := []struct {
		name     string
		messages int
		gap      time.Duration // between follow-ups; the outbox sends what is due
		// notifications is how many the officer gets by mail, the first
		// (the new ticket) included.
		notifications int
	}{
		{"a burst within the interval", 60, time.Second, 2},
		{"a burst all at once", 60, 0, 2},
		{"a chat that never pauses", 60, 5 * time.Second, 4}, // 5 minutes: one per 2 minutes
		{"replies far apart", 3, 10 * time.Minute, 4},        // each notifies at once
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newQuietFixture(t, filepath.Join(t.TempDir(), "s.db"))
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			f.sendDue()
			for i := range tt.messages {
				f.now = f.now.Add(tt.gap)
				f.sendDue()
				if d := f.handle(followUp(i, ack)); d != inquiry.Attached {
					t.Fatalf("follow-up %d: %s", i, d)
				}
			}
			f.now = f.now.Add(24 * time.Hour)
			f.sendDue()
			notes := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)
			if len(notes) != tt.notifications {
				t.Fatalf("%d notifications for %d follow-ups, want %d", len(notes), tt.messages, tt.notifications)
			}
			if notes[0].Digest != nil || !strings.Contains(notes[0].Mail.Text, "Tiketë e re") {
				t.Errorf("the first notification is not the new ticket's: %q", notes[0].Mail.Subject)
			}
			covered := 0
			for i, n := range notes[1:] {
				if n.State != inquiry.JobDone {
					t.Errorf("notification %d is %s", i+1, n.State)
				}
				if n.Digest == nil {
					covered++
					continue
				}
				covered += n.Digest.Count
				want := fmt.Sprintf("%d mesazhe të reja", n.Digest.Count)
				if !strings.Contains(n.Mail.Text, want) || !strings.Contains(n.Mail.Subject, want) || !strings.Contains(n.Mail.Subject, "[DKP-2026-000001]") {
					t.Errorf("digest %d lacks %q: %q", i+1, want, n.Mail.Subject)
				}
				if !n.Mail.AllowOutOfOffice {
					t.Errorf("digest %d asks for no out-of-office: the heads would not learn the officer is away", i+1)
				}
				if len(n.Mail.Text) > 8000 {
					t.Errorf("digest %d is %d bytes: not bounded", i+1, len(n.Mail.Text))
				}
				if prev := notes[i]; n.NextAt.Sub(prev.NextAt) < quiet {
					t.Errorf("digest %d due %v after the notification before it, want at least %v", i+1, n.NextAt.Sub(prev.NextAt), quiet)
				}
			}
			if covered != tt.messages {
				t.Errorf("the notifications cover %d messages, want each of the %d once", covered, tt.messages)
			}
		})
	}
}

func TestDigestListsTheMessages(t *testing.T) {
	f := newQuietFixture(t, filepath.Join(t.TempDir(), "s.db"))
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	long := followUp(0, ack)
	long.Text = strings.Repeat("shumë ", 100)
	long.Attachments = []inquiry.Attachment{{Name: "aneksi.pdf", ContentType: "application/pdf", Size: 1234, Content: []byte("%PDF")}}
	f.handle(long)
	first := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[1]
	for i := 1; i < 20; i++ {
		f.now = f.now.Add(time.Second)
		f.handle(followUp(i, ack))
	}
	notes := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)
	if len(notes) != 2 {
		t.Fatalf("%d notifications, want the new ticket's and one digest", len(notes))
	}
	dg := notes[1]
	if dg.Mail.MessageID != first.Mail.MessageID || !dg.Mail.Date.Equal(first.Mail.Date) || !dg.NextAt.Equal(first.NextAt) {
		t.Errorf("the digest changed its Message-ID, Date or due time while it grew: %s %v %v → %s %v %v",
			first.Mail.MessageID, first.Mail.Date, first.NextAt, dg.Mail.MessageID, dg.Mail.Date, dg.NextAt)
	}
	for _, want := range []string{"20 mesazhe të reja", "Mesazhi 1:", "Mesazhi 14:", "shumë shumë", "…", "aneksi.pdf (application/pdf, 1234 bytes)", "… dhe 5 mesazhe të tjera", "përgjigjuni këtij emaili"} {
		if !strings.Contains(dg.Mail.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, dg.Mail.Text)
		}
	}
	if strings.Contains(dg.Mail.Text, "Mesazhi 15:") || strings.Contains(dg.Mail.Text, strings.Repeat("shumë ", 50)) {
		t.Errorf("digest is not trimmed:\n%s", dg.Mail.Text)
	}
}

func TestOfficerReplyToDigestIsRelayed(t *testing.T) {
	tests := []struct {
		name    string
		from    string
		relayed bool
	}{
		{"the officer it was sent to", "jusuf.lushaku@mkrs.example", true},
		{"another officer", "osman.gashi@mkrs.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newQuietFixture(t, filepath.Join(t.TempDir(), "s.db"))
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			for i := range 3 {
				f.handle(followUp(i, ack))
			}
			f.now = f.now.Add(quiet)
			f.sendDue()
			dg := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[1]
			if dg.Digest == nil || dg.State != inquiry.JobDone {
				t.Fatalf("second notification %+v, want a sent digest", dg)
			}
			answer := citizen("ans@mkrs.example", tt.from, "Re: "+dg.Mail.Subject, "Aneksi është në shtojcë.\n\nOn Wed, Divizioni wrote:\n> 3 mesazhe")
			answer.InReplyTo = []string{dg.Mail.MessageID}
			d := f.handle(answer)
			answers := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)
			if relayed := d == inquiry.Relayed; relayed != tt.relayed || len(answers) != map[bool]int{true: 1}[tt.relayed] {
				t.Fatalf("disposition %s, %d answers; want relayed %v", d, len(answers), tt.relayed)
			}
			if tt.relayed && (answers[0].Mail.To[0].Address != "arben@example.net" || strings.TrimSpace(answers[0].Mail.Text) != "Aneksi është në shtojcë.") {
				t.Errorf("answer to %v: %q", answers[0].Mail.To, answers[0].Mail.Text)
			}
		})
	}
}

// A process that dies before its digest is sent leaves it in the store; the
// next process sends it once, with the Message-ID it was written with. One
// claimed when the process died may have gone out, so it is never changed:
// a message arriving after the restart starts a new digest.
func TestDigestSurvivesCrash(t *testing.T) {
	tests := []struct {
		name    string
		claimed bool // the dead process had claimed the digest
	}{
		{"died before the digest was due", false},
		{"died with the digest claimed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "s.db")
			smtpSrv, err := devserver.StartSMTP()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { smtpSrv.Close() })
			newOutbox := func(f *fixture) *outbox.Outbox {
				m, err := mailer.New(mailer.Options{Addr: smtpSrv.Addr, Security: "none", Logger: testutil.DiscardLogger()})
				if err != nil {
					t.Fatal(err)
				}
				ob := outbox.New(f.store, m, nil, outbox.Config{}, testutil.DiscardLogger())
				ob.SetClock(func() time.Time { return f.now })
				return ob
			}

			first := newQuietFixture(t, path)
			first.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			if err := newOutbox(first).Drain(ctx); err != nil { // ack and notification
				t.Fatal(err)
			}
			ack := jobsOf(first.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			for i := range 5 {
				first.now = first.now.Add(time.Second)
				first.handle(followUp(i, ack))
			}
			dg := jobsOf(first.jobs("DKP-2026-000001"), inquiry.JobNotify)[1]
			if tt.claimed {
				if _, err := first.store.ClaimJobs(ctx, "dead-process", dg.NextAt, time.Hour, 10); err != nil {
					t.Fatal(err)
				}
			}
			first.store.Close() // the process is gone; nothing more of it runs

			second := newQuietFixture(t, path)
			second.now = dg.NextAt.Add(time.Minute)
			if _, err := second.store.ReleaseClaims(ctx, "second"); err != nil { // as app does under its instance lock
				t.Fatal(err)
			}
			second.handle(followUp(5, ack))
			ob := newOutbox(second)
			for range 2 {
				if err := ob.Drain(ctx); err != nil {
					t.Fatal(err)
				}
			}
			sent := 0
			for _, m := range smtpSrv.Mails() {
				if strings.Contains(string(m.Data), dg.Mail.MessageID) {
					sent++
				}
			}
			if sent != 1 {
				t.Fatalf("the digest %s was sent %d times, want once", dg.Mail.MessageID, sent)
			}
			notes := jobsOf(second.jobs("DKP-2026-000001"), inquiry.JobNotify)
			wantCount := map[bool]int{false: 6, true: 5}[tt.claimed]
			if got := notes[1]; got.ID != dg.ID || got.State != inquiry.JobDone || got.Digest.Count != wantCount {
				t.Errorf("digest after restart: job %d %s covering %d, want job %d done covering %d", got.ID, got.State, got.Digest.Count, dg.ID, wantCount)
			}
			if tt.claimed && (len(notes) != 3 || notes[2].Digest == nil || notes[2].Digest.Count != 1 || notes[2].State != inquiry.JobPending) {
				t.Errorf("the message after the restart: %d notifications, want a new pending digest for it", len(notes))
			}
		})
	}
}

// lastTextClassifier keeps the text it was last asked to classify.
type lastTextClassifier struct {
	desk.Classifier
	last string
}

func (c *lastTextClassifier) Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	c.last = m.Text
	return c.Classifier.Classify(ctx, m)
}

// A long Telegram conversation is reclassified on its last messages only,
// so each message costs the same however many came before it.
func TestTelegramReclassifiesOnABoundedWindow(t *testing.T) {
	var cls *lastTextClassifier
	f := newFixtureWith(t, func(c desk.Classifier) desk.Classifier {
		cls = &lastTextClassifier{Classifier: c}
		return cls
	})
	tests := []struct {
		name       string
		text       func(i int) string
		messages   int
		has, lacks []string
		maxRunes   int
	}{
		{"many short messages: the last ten", func(i int) string { return fmt.Sprintf("Kur hapet muzeu? (%d)", i) }, 40,
			[]string{"(30)", "(39)"}, []string{"(29)", "(0)"}, 4000},
		{"long messages: at most 4,000 characters", func(i int) string { return fmt.Sprintf("(%d) ", i) + strings.Repeat("muzeu ", 300) }, 12,
			[]string{"(11)", "(10)"}, []string{"(8)"}, 4000},
	}
	for k, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chat := int64(9000 + k)
			for i := range tt.messages {
				f.now = f.now.Add(time.Second)
				m := &inquiry.Message{Channel: inquiry.ChannelTelegram, SourceID: fmt.Sprintf("tg:%d:%d", chat, i), ChatID: chat, UserID: chat,
					ChatMsgID: i + 1, From: inquiry.Address{Name: "Arta"}, Text: tt.text(i)}
				f.handle(m)
			}
			if n := len([]rune(cls.last)); n > tt.maxRunes {
				t.Errorf("reclassified on %d characters, want at most %d", n, tt.maxRunes)
			}
			for _, w := range tt.has {
				if !strings.Contains(cls.last, w) {
					t.Errorf("the last reclassification lacks message %s", w)
				}
			}
			for _, w := range tt.lacks {
				if strings.Contains(cls.last, w) {
					t.Errorf("the last reclassification still reads message %s", w)
				}
			}
		})
	}
}

// A Telegram message joins the chat's open ticket only within the join
// window after the ticket's last activity; later it opens a new one. The
// window is the configured one, not the default's 30 minutes.
func TestTelegramJoinWindow(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration // 0: the default
		after  time.Duration
		want   inquiry.Disposition
	}{
		{"default window, 20 minutes later", 0, 20 * time.Minute, inquiry.Attached},
		{"default window, 40 minutes later", 0, 40 * time.Minute, inquiry.Filed},
		{"5-minute window, 4 minutes later", 5 * time.Minute, 4 * time.Minute, inquiry.Attached},
		{"5-minute window, 6 minutes later", 5 * time.Minute, 6 * time.Minute, inquiry.Filed},
		{"2-hour window, 90 minutes later", 2 * time.Hour, 90 * time.Minute, inquiry.Attached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) { c.TelegramJoinWindow = tt.window })
			msg := func(i int, text string) *inquiry.Message {
				return &inquiry.Message{Channel: inquiry.ChannelTelegram, SourceID: fmt.Sprintf("tg:77:%d", i), ChatID: 77, UserID: 77,
					ChatMsgID: i, From: inquiry.Address{Name: "Arta"}, Text: text}
			}
			if got := f.handle(msg(1, "Kur hapet muzeu kombëtar këtë javë?")); got != inquiry.Filed {
				t.Fatalf("first message: %s, want %s", got, inquiry.Filed)
			}
			f.now = f.now.Add(tt.after)
			if got := f.handle(msg(2, "A ka hyrje falas për studentët?")); got != tt.want {
				t.Errorf("second message %v later: %s, want %s", tt.after, got, tt.want)
			}
			n, err := f.store.CountTickets(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wantTickets := 1
			if tt.want == inquiry.Filed {
				wantTickets = 2
			}
			if n != wantTickets {
				t.Errorf("%d tickets, want %d", n, wantTickets)
			}
		})
	}
}

// A digest the outbox tried and that then failed (its mail may have reached
// the relay: a reply lost after the message) and that an operator requeued
// (`sportel tickets retry-failed`) is sent again as it was: the next
// follow-up starts a new digest instead of rewriting it under the same
// Message-ID.
func TestRequeuedDigestIsNotRewritten(t *testing.T) {
	ctx := context.Background()
	f := newQuietFixture(t, filepath.Join(t.TempDir(), "s.db"))
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	f.sendDue()
	f.handle(followUp(0, ack))
	dg := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[1]
	if dg.Digest == nil {
		t.Fatal("the follow-up made no digest")
	}
	f.now = dg.NextAt
	claimed, err := f.store.ClaimJobs(ctx, "w", f.now, time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].ID != dg.ID {
		t.Fatalf("claim: %v, %v; want the digest", claimed, err)
	}
	sent := claimed[0].Mail.Text
	if err := f.store.FailJob(ctx, dg.ID, "w", "connection reset after DATA", f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RequeueFailed(ctx, []int64{dg.ID}, f.now); err != nil {
		t.Fatal(err)
	}
	f.handle(followUp(1, ack))
	notify := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)
	if notify[1].ID != dg.ID || notify[1].Mail.Text != sent {
		t.Errorf("the requeued digest (Message-ID %s) was rewritten: count %d → %d", dg.Mail.MessageID, dg.Digest.Count, notify[1].Digest.Count)
	}
	if len(notify) != 3 || notify[2].Digest == nil {
		t.Errorf("%d notifications, want the first, the requeued digest and a new digest for the second follow-up", len(notify))
	}
}
