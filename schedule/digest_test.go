package schedule_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// A ticket is counted as new in the digest of the window it was filed in,
// whatever its message's date: mail taken in late (the daemon was down, a
// mail dated before the last digest) is in the next digest, and no ticket
// is in two.
//
// Digests on Monday 4, Tuesday 5 and Wednesday 6 May 2026 at 08:30.
func TestDigestCountsTicketsWhenFiled(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	tickets := []struct {
		number          string
		received, filed string
		digest          string // the day of the digest that counts it
	}{
		{"DKP-2026-000001", "2026-05-04 10:00", "2026-05-04 10:00", "2026-05-05"},
		{"DKP-2026-000002", "2026-05-04 08:00", "2026-05-04 09:00", "2026-05-05"}, // dated before Monday's digest, filed after it
		{"DKP-2026-000003", "2026-05-03 22:00", "2026-05-05 12:00", "2026-05-06"}, // Sunday's mail, filed when the daemon came back
		{"DKP-2026-000004", "2026-05-05 08:00", "2026-05-05 08:00", "2026-05-05"},
	}
	c := &clock{t: t}
	want := map[string]int{"2026-05-04": 0, "2026-05-05": 0, "2026-05-06": 0}
	for _, tk := range tickets {
		c.events = append(c.events, event{local(t, tk.filed),
			fileAt(tk.number, inquiry.GeneralQuestion, inquiry.ChannelEmail, "zamira", local(t, tk.received), local(t, tk.filed), true)})
		want[tk.digest]++
	}
	// In the order they happen, as the clock applies them.
	slices.SortStableFunc(c.events, func(a, b event) int { return a.at.Compare(b.at) })
	c.run(st, local(t, "2026-05-04 00:00"), local(t, "2026-05-06 12:00"), 0)

	_, jobs := sent(t, st)
	got := map[string]int{}
	for _, j := range jobs {
		if j.Kind != inquiry.JobDailyDigest || j.Mail == nil {
			continue
		}
		// The first line: "<new tickets> from <from> to <to>: <count>".
		first, _, _ := strings.Cut(j.Mail.Text, "\n")
		n, err := strconv.Atoi(first[strings.LastIndex(first, ": ")+2:])
		if err != nil {
			t.Fatalf("digest of %s: no count in %q", j.CreatedAt, first)
		}
		got[j.CreatedAt.In(belgrade(t)).Format("2006-01-02")] = n
	}
	for day, n := range want {
		if got[day] != n {
			t.Errorf("digest of %s counts %d new tickets, want %d (all digests: %v)", day, got[day], n, got)
		}
	}
}

// cancelledSend records a reminder of the ticket cancelled at at, as the
// desk does when the ticket is decided while the reminder waits.
func cancelledSend(number string, at time.Time) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		inTx(t, st, func(tx store.Tx) error {
			tk, ok, err := tx.TicketByNumber(number)
			if err != nil || !ok {
				return fmt.Errorf("ticket %s: %v, %v", number, ok, err)
			}
			return tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: "jusuf",
				State: inquiry.JobCancelled, Attempts: 1, NextAt: at, CreatedAt: at, FinishedAt: at,
				LastError: "cancelled: the ticket is closed (granted); last error: 451 try again later",
				Mail:      &inquiry.Mail{MessageID: "reminder-" + number + "@mkrs.example", Date: at, Subject: "x", Text: "x"}})
		})
	}
}

// The digest's failed sends are failures only: a reminder cancelled because
// its ticket was decided is not one.
func TestDigestFailedSendsLeaveOutCancelled(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t, events: []event{
		{local(t, "2026-05-05 10:00"), file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "jusuf", local(t, "2026-05-05 10:00"), false)},
		{local(t, "2026-05-05 11:00"), failedSend("DKP-2026-000001", local(t, "2026-05-05 11:00"))},
		{local(t, "2026-05-05 12:00"), cancelledSend("DKP-2026-000001", local(t, "2026-05-05 12:00"))},
	}}
	c.run(st, local(t, "2026-05-05 09:00"), local(t, "2026-05-06 09:00"), 0)
	_, jobs := sent(t, st)
	for _, j := range jobs {
		if j.Kind != inquiry.JobDailyDigest || j.Mail == nil || !strings.Contains(j.Mail.Subject, "06.05.2026") {
			continue
		}
		// osman reads Serbian: "Failed sends (1)", the acknowledgement alone.
		if !strings.Contains(j.Mail.Text, "Neuspela slanja (1)\n") || strings.Contains(j.Mail.Text, "reminder") {
			t.Errorf("digest of 6 May:\n%s\nwant one failed send, the acknowledgement", j.Mail.Text)
		}
		return
	}
	t.Fatal("no digest of 6 May")
}
