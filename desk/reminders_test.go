package desk_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/store"
)

// queueReminder queues a reminder of ticket1 to its officer as the
// scheduler does, and has a worker try it once: the relay answers 4xx, so
// it waits unclaimed for its retry. It returns the job's id.
func queueReminder(t *testing.T, f *fixture) int64 {
	t.Helper()
	ctx := context.Background()
	tk := f.ticket(ticket1)
	due := f.now.Add(-time.Hour) // before the desk's other jobs, so claimed alone
	j := &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: tk.OfficerID, NextAt: due, CreatedAt: due,
		Mail: &inquiry.Mail{MessageID: "sportel.reminder.1@mkrs.example", Date: due, Subject: "[" + ticket1 + "] Kujtesë", Text: "afati"}}
	if err := f.store.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.AddJobOnce("reminder:"+ticket1+":test", j)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	claimed, err := f.store.ClaimJobs(ctx, "w", due, 3*time.Hour, 1)
	if err != nil || len(claimed) != 1 || claimed[0].ID != j.ID {
		t.Fatalf("claim of the reminder = %v, %v", claimed, err)
	}
	if err := f.store.RetryJob(ctx, j.ID, "w", f.now.Add(10*time.Minute), "451 4.7.1 try again later"); err != nil {
		t.Fatal(err)
	}
	return j.ID
}

// A reminder waiting for a retry is cancelled, in the same transaction,
// by whatever leaves the ticket no longer needing it: a decision, spam,
// another category, another officer (who gets their own from the
// scheduler) or another deadline (reminded anew). What leaves the request
// undecided as it was keeps it.
func TestRemindersCancelledWhenNoLongerDue(t *testing.T) {
	ctx := context.Background()
	byMail := func(own string) func(*fixture) error {
		return func(f *fixture) error {
			notify := mailNotification(f)
			raw := replyMail(notify, "cmd@mkrs.example", "Re: "+notify.Subject, "", nil,
				own+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
			f.handle(parse.Parse(raw, f.now, parseOptions()))
			return nil
		}
	}
	tests := []struct {
		name string
		act  func(f *fixture) error
		why  string // a part of the reason the cancelled reminder records; "" when it is kept
	}{
		{"closed as granted", func(f *fixture) error {
			_, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf")
			return err
		}, "the ticket is closed (granted)"},
		{"refused by a command in the officer's answer", byMail(commandAnswer + "\n\n#close refused personal_data"), "the ticket is closed (refused)"},
		{"closed by a command alone", byMail("#close withdrawn"), "the ticket is closed (withdrawn)"},
		{"marked not held", func(f *fixture) error {
			_, err := f.desk.NotHeld(ctx, ticket1, "Ministria e Arsimit", "jusuf")
			return err
		}, "marked not held"},
		{"marked spam", func(f *fixture) error { _, err := f.desk.MarkSpam(ctx, ticket1, "jusuf"); return err }, "the ticket is spam"},
		{"no longer a document request", func(f *fixture) error {
			_, err := f.desk.Recategorize(ctx, ticket1, inquiry.PressInquiry, "jusuf")
			return err
		}, "now a press_inquiry"},
		{"reassigned", func(f *fixture) error { _, err := f.desk.Assign(ctx, ticket1, "zamira", "jusuf"); return err },
			"reassigned from jusuf to zamira"},
		{"extended", func(f *fixture) error {
			_, err := f.desk.Extend(ctx, ticket1, 10, "dokumentet janë në arkiv", "jusuf")
			return err
		}, "the deadline moved to"},
		{"made urgent", func(f *fixture) error { _, err := f.desk.Urgent(ctx, ticket1, true, "jusuf"); return err },
			"the deadline moved to"},
		{"answered, still undecided", func(f *fixture) error {
			_, err := f.desk.Answer(ctx, ticket1, "jusuf", "Po e kërkojmë në arkiv.")
			return err
		}, ""},
		{"a note", func(f *fixture) error { _, err := f.desk.Note(ctx, ticket1, "jusuf", "në arkiv"); return err }, ""},
		{"taken by its own officer", func(f *fixture) error { _, err := f.desk.Take(ctx, ticket1, "jusuf"); return err }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			id := queueReminder(t, f)
			f.now = f.now.Add(time.Minute)
			if err := tt.act(f); err != nil {
				t.Fatal(err)
			}
			j := jobWithID(t, f, id)
			if tt.why == "" {
				if j.State != inquiry.JobPending {
					t.Errorf("reminder %s (%q), want it kept pending", j.State, j.LastError)
				}
				return
			}
			if j.State != inquiry.JobCancelled || !strings.Contains(j.LastError, tt.why) ||
				!strings.Contains(j.LastError, "451 4.7.1") || !j.FinishedAt.Equal(f.now) {
				t.Errorf("reminder %s at %v, error %q; want cancelled at %v, saying %q and the relay's last word",
					j.State, j.FinishedAt, j.LastError, f.now, tt.why)
			}
			// The retry never comes.
			claimed, err := f.store.ClaimJobs(ctx, "w2", f.now.Add(48*time.Hour), time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range claimed {
				if c.ID == id {
					t.Errorf("the cancelled reminder was claimed again")
				}
			}
		})
	}
}

// A reminder a worker holds when the ticket closes is cancelled too: if
// its send went out it is recorded as sent, and if the relay answered 4xx
// it is not tried again (a reminder of a closed ticket).
func TestReminderInFlightIsCancelled(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		word      func(f *fixture, id int64) error
		wantState inquiry.JobState
	}{
		{"sent", func(f *fixture, id int64) error {
			lost, err := f.store.FinishJobs(ctx, "w", []store.SentJob{{ID: id}}, f.now)
			if err == nil && len(lost) != 0 {
				err = errors.New("its lease was lost")
			}
			return err
		}, inquiry.JobDone},
		{"451 from the relay", func(f *fixture, id int64) error {
			err := f.store.RetryJob(ctx, id, "w", f.now.Add(10*time.Minute), "451 4.7.1 try again later")
			if !errors.Is(err, store.ErrJobCancelled) {
				return fmt.Errorf("RetryJob = %v, want ErrJobCancelled", err)
			}
			return nil
		}, inquiry.JobCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			id := queueReminder(t, f)
			claimed, err := f.store.ClaimJobs(ctx, "w", f.now.Add(10*time.Minute), time.Hour, 100)
			if err != nil || !slices.ContainsFunc(claimed, func(j inquiry.Job) bool { return j.ID == id }) {
				t.Fatalf("second claim = %v, %v; want the reminder in it", claimed, err)
			}
			f.now = f.now.Add(15 * time.Minute)
			if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf"); err != nil {
				t.Fatal(err)
			}
			if j := jobWithID(t, f, id); j.State != inquiry.JobCancelled || !strings.Contains(j.LastError, "the ticket is closed (granted)") {
				t.Fatalf("reminder in flight after the close: %s (%q), want cancelled", j.State, j.LastError)
			}
			if err := tt.word(f, id); err != nil {
				t.Fatalf("its worker's word: %v", err)
			}
			if j := jobWithID(t, f, id); j.State != tt.wantState {
				t.Errorf("reminder after its worker's word: %s (%q), want %s", j.State, j.LastError, tt.wantState)
			}
			claimed, err = f.store.ClaimJobs(ctx, "w2", f.now.Add(48*time.Hour), time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(claimed, func(j inquiry.Job) bool { return j.ID == id }) {
				t.Errorf("the reminder was claimed again")
			}
		})
	}
}

func jobWithID(t *testing.T, f *fixture, id int64) inquiry.Job {
	t.Helper()
	for _, j := range f.jobs(ticket1) {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("no job %d on %s", id, ticket1)
	return inquiry.Job{}
}
