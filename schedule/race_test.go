package schedule_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/schedule"
	"sportel/store"
)

// recategorize makes a ticket a press inquiry, with no deadline.
func recategorize(number string) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		inTx(t, st, func(tx store.Tx) error {
			tk, _, err := tx.TicketByNumber(number)
			if err != nil {
				return err
			}
			tk.Category, tk.DueAt = inquiry.PressInquiry, time.Time{}
			return tx.UpdateTicket(&tk)
		})
	}
}

// A request that stops awaiting a decision between the scheduler's listing
// and its write gets no reminder: the desk, which cancels reminders queued
// before such a change, has nothing to cancel one queued after it.
func TestNoReminderForATicketDecidedUnderThePass(t *testing.T) {
	const number = "DKP-2026-000001"
	tests := []struct {
		name   string
		change func(testing.TB, store.Store)
	}{
		{"closed", decide(number, local(t, "2026-04-29 07:59"))},
		{"marked not held", markNotHeld(number, local(t, "2026-04-29 07:59"))},
		{"no longer a document request", recategorize(number)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			t.Cleanup(func() { st.Close() })
			file(number, inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-27 10:00"), false)(t, st)
			changed := &changedBeforeFirstWrite{Store: st, change: func() { tt.change(t, st) }}
			cfg := config(t)
			cfg.Now = func() time.Time { return local(t, "2026-04-29 08:00") } // a reminder is due
			s, err := schedule.New(cfg, changed, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Pass(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, _ := sent(t, st); len(got) != 0 {
				t.Errorf("queued %v", got)
			}
		})
	}
}

// Nor an escalation and a refusal by silence: a request marked not held (a
// decision) or closed while the pass ran is not refused by silence.
func TestNoEscalationForATicketDecidedUnderThePass(t *testing.T) {
	const number = "DKP-2026-000001"
	tests := []struct {
		name   string
		change func(testing.TB, store.Store)
	}{
		{"closed", decide(number, local(t, "2026-05-04 23:59"))},
		{"marked not held", markNotHeld(number, local(t, "2026-05-04 23:59"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			t.Cleanup(func() { st.Close() })
			file(number, inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-27 10:00"), false)(t, st)
			changed := &changedBeforeFirstWrite{Store: st, change: func() { tt.change(t, st) }}
			cfg := config(t)
			cfg.Reminders = nil
			cfg.NoDailyDigest = true
			cfg.Now = func() time.Time { return local(t, "2026-05-05 00:00") } // the deadline has passed
			s, err := schedule.New(cfg, changed, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Pass(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, _ := sent(t, st); len(got) != 0 {
				t.Errorf("queued %v", got)
			}
			tk, _, err := st.TicketByNumber(context.Background(), number)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := st.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.Contains(e.Text, "refused by silence") {
					t.Errorf("recorded %q", e.Text)
				}
			}
		})
	}
}

// panicsOnce is a store whose first write transaction meets a bug.
type panicsOnce struct {
	store.Store
	once sync.Once
}

func (p *panicsOnce) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	p.once.Do(func() { panic("a bug one ticket meets") })
	return p.Store.WithTx(ctx, fn)
}

// A bug the scheduler meets on one ticket is that ticket's error in the
// pass: the other tickets' sends are queued, the daemon goes on, and the
// next pass tries the ticket again. A panic would end the daemon, which
// would meet it again at every start.
func TestSchedulerBugOnOneTicket(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	for _, number := range []string{"DKP-2026-000001", "DKP-2026-000002"} {
		file(number, inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-27 10:00"), false)(t, st)
	}
	cfg := config(t)
	cfg.NoDailyDigest = true
	cfg.Now = func() time.Time { return local(t, "2026-04-29 08:00") } // reminders are due
	s, err := schedule.New(cfg, &panicsOnce{Store: st}, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Pass(context.Background())
	if err == nil || !strings.Contains(err.Error(), "internal error: a bug one ticket meets") {
		t.Errorf("first pass: %v; want the bug as an error", err)
	}
	if got, _ := sent(t, st); len(got) != 1 {
		t.Errorf("first pass queued %v; want the other ticket's reminder", got)
	}
	if err := s.Pass(context.Background()); err != nil {
		t.Fatalf("second pass: %v", err)
	}
	if got, _ := sent(t, st); len(got) != 2 {
		t.Errorf("after the second pass: %v; want both reminders", got)
	}
}
