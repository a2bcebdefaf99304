package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/schedule"
)

// A reminder cancelled by a change that is then undone (the request closed
// and reopened, reassigned and given back) is queued again by the running
// scheduler, the same day, and reaches the officer once through the real
// outbox and a real SMTP server; a later pass, and a restarted scheduler,
// queue no second one.
func TestReminderQueuedAgainWhenTheTicketFitsItAgain(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		away, back func(f *fixture) error
	}{
		{"closed and reopened",
			func(f *fixture) error {
				_, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf")
				return err
			},
			func(f *fixture) error { _, err := f.desk.Reopen(ctx, ticket1, "jusuf"); return err }},
		{"reassigned and given back",
			func(f *fixture) error { _, err := f.desk.Assign(ctx, ticket1, "zamira", "jusuf"); return err },
			func(f *fixture) error { _, err := f.desk.Assign(ctx, ticket1, "jusuf", "zamira"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			loc := belgradeLocation(t)
			// The due day's reminder is due from 08:00 until the deadline.
			due := f.ticket(ticket1).DueAt.In(loc)
			f.now = time.Date(due.Year(), due.Month(), due.Day(), 9, 0, 0, 0, loc)
			if !f.now.Before(due) {
				t.Fatalf("deadline %v is not after 09:00 of its day", due)
			}
			newScheduler := func() *schedule.Scheduler {
				s, err := schedule.New(schedule.Config{
					Calendar: calendar.New(calendar.Options{}), Location: loc,
					Reminders: []int{0}, ReminderHour: 8 * time.Hour, NoDailyDigest: true,
					Officers: officers, Mailbox: inquiry.Address{Address: "komunikimi@mkrs.example"},
					MessageIDDomain: "mkrs.example", MessageIDPrefix: "sportel.",
					Now: func() time.Time { return f.now },
				}, f.store, testutil.DiscardLogger())
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			sched := newScheduler()
			pass := func(s *schedule.Scheduler) {
				t.Helper()
				if err := s.Pass(ctx); err != nil {
					t.Fatalf("scheduler pass: %v", err)
				}
			}
			step := func(what string, fn func(f *fixture) error) {
				t.Helper()
				f.now = f.now.Add(time.Minute)
				if err := fn(f); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				pass(sched)
			}
			reminders := func() map[inquiry.JobState]int {
				t.Helper()
				n := map[inquiry.JobState]int{}
				for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobReminder) {
					if j.Recipient == "jusuf" {
						n[j.State]++
					}
				}
				return n
			}

			pass(sched)
			if got := reminders(); got[inquiry.JobPending] != 1 || len(got) != 1 {
				t.Fatalf("reminders after the first pass: %v, want one pending", got)
			}
			step("away", tt.away)
			if got := reminders(); got[inquiry.JobCancelled] != 1 || len(got) != 1 {
				t.Fatalf("reminders after the change: %v, want the one cancelled", got)
			}
			step("back", tt.back)
			if got := reminders(); got[inquiry.JobCancelled] != 1 || got[inquiry.JobPending] != 1 || len(got) != 2 {
				t.Fatalf("reminders once the ticket fits it again: %v, want the cancelled one and one pending", got)
			}

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
			ob := outbox.New(f.store, m, nil, outbox.Config{Lease: time.Minute}, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			drain := func() {
				t.Helper()
				if err := ob.Drain(ctx); err != nil {
					t.Fatalf("drain the outbox: %v", err)
				}
			}
			drain()
			// A later pass, and a restarted scheduler, queue nothing more.
			f.now = f.now.Add(time.Hour)
			pass(sched)
			pass(newScheduler())
			drain()

			if got := reminders(); got[inquiry.JobCancelled] != 1 || got[inquiry.JobDone] != 1 || len(got) != 2 {
				t.Errorf("reminders at the end: %v, want the cancelled one and one done", got)
			}
			sent := 0
			for _, mail := range srv.Mails() {
				if strings.Contains(string(mail.Data), "Message-Id: <sportel.reminder.") {
					sent++
					if strings.Join(mail.To, ",") != "jusuf.lushaku@mkrs.example" {
						t.Errorf("reminder sent to %v, want jusuf only", mail.To)
					}
				}
			}
			if sent != 1 {
				t.Errorf("%d reminders reached the SMTP server, want 1", sent)
			}
		})
	}
}

func belgradeLocation(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
