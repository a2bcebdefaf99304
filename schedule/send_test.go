package schedule_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/schedule"
)

// TestSendsThroughOutbox queues a reminder, an escalation and a digest and
// lets the real outbox and mailer deliver them to a real SMTP server: each
// arrives once, to its person, in their language, marked as machine mail.
func TestSendsThroughOutbox(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	// Request 1 is due tonight; request 9 was due a week ago.
	file("DKP-2026-000009", "document_request", inquiry.ChannelEmail, "zamira", local(t, "2026-04-20 10:00"), false)(t, st)
	file("DKP-2026-000001", "document_request", inquiry.ChannelEmail, "jusuf", local(t, "2026-04-27 10:00"), false)(t, st)

	srv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	m, err := mailer.New(mailer.Options{Addr: srv.Addr, Security: mailer.SecurityNone, LoopID: "komunikimi@mkrs.example"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ob := outbox.New(st, m, nil, outbox.Config{Lease: time.Minute}, testutil.DiscardLogger())
	testutil.RunBackground(t, "outbox", 30*time.Second, ob.Run)

	cfg := config(t)
	cfg.Telegram = false
	now := local(t, "2026-05-04 09:00")
	cfg.Now = func() time.Time { return now }
	cfg.JobsQueued = ob.Poke
	s, err := schedule.New(cfg, st, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Pass(context.Background()); err != nil {
		t.Fatalf("Pass: %v", err)
	}
	err = testutil.Await(t, "three mails", 30*time.Second, func(ctx context.Context) error {
		_, err := srv.WaitFor(ctx, 3)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "three jobs done", 30*time.Second, func() (bool, error) {
		done, err := st.ListJobs(context.Background(), inquiry.JobDone, 0)
		return len(done) == 3, err
	})
	// A later pass the same morning, and a new scheduler (a restart), add
	// nothing.
	now = local(t, "2026-05-04 11:00")
	if err := s.Pass(context.Background()); err != nil {
		t.Fatalf("second Pass: %v", err)
	}
	again, err := schedule.New(cfg, st, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Pass(context.Background()); err != nil {
		t.Fatalf("Pass after restart: %v", err)
	}
	for _, state := range []inquiry.JobState{inquiry.JobPending, inquiry.JobFailed} {
		if jobs, err := st.ListJobs(context.Background(), state, 0); err != nil || len(jobs) != 0 {
			t.Errorf("%s jobs after the later passes: %d, %v; want none", state, len(jobs), err)
		}
	}

	var got []string
	dec := &mime.WordDecoder{}
	for _, sm := range srv.Mails() {
		msg, err := mail.ReadMessage(bytes.NewReader(sm.Data))
		if err != nil {
			t.Fatalf("read sent mail: %v", err)
		}
		subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("decode subject: %v", err)
		}
		if msg.Header.Get("Auto-Submitted") != "auto-replied" || sm.From != "komunikimi@mkrs.example" {
			t.Errorf("mail %q: Auto-Submitted %q, envelope from %q", subject, msg.Header.Get("Auto-Submitted"), sm.From)
		}
		got = append(got, strings.Join(sm.To, ",")+" | "+subject+" | "+msg.Header.Get("X-Sportel-Ticket"))
	}
	slices.Sort(got)
	want := []string{
		"jusuf@mkrs.example | [DKP-2026-000001] Kujtesë: afati 04.05.2026 23:59 | DKP-2026-000001",
		"osman@mkrs.example | Dnevni pregled, 04.05.2026 | ",
		"osman@mkrs.example | [DKP-2026-000009] Rok je istekao bez odluke | DKP-2026-000009",
	}
	if !slices.Equal(got, want) {
		t.Errorf("mails received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
