package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// PrimeAbsent's look-ups go through the indexes of the keys, whatever the
// tables hold: a chunk's mail must not cost a read of every source, thread
// reference or job.
func TestPrimeAbsentUsesTheIndexes(t *testing.T) {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := planStore(t, func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
			ReceivedAt: base, UpdatedAt: base}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		for i := range 300 {
			key := "mail:" + strings.Repeat("k", i%7) + time.Duration(i).String()
			if err := tx.MarkSource(key, tk.ID, base); err != nil {
				return err
			}
			if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: key + "@example.org", TicketID: tk.ID}); err != nil {
				return err
			}
			j := &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "r@example.net", State: inquiry.JobDone,
				NextAt: base, CreatedAt: base, Mail: &inquiry.Mail{MessageID: key + "@sportel", Date: base, Text: "x"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tt := range []struct{ name, query, index string }{
		{"source keys", primeSourcesSQL, "sqlite_autoindex_sources_1"},
		{"thread references", primeRefsSQL, "sqlite_autoindex_thread_refs_1"},
		{"thread references", primeRefsSQL, "jobs_message_id"},
	} {
		plan := queryPlan(t, s, tt.query, []any{`["a","b"]`})
		if !strings.Contains(plan, tt.index) {
			t.Errorf("%s: plan %q: want index %s", tt.name, plan, tt.index)
		}
		for _, table := range []string{"sources", "thread_refs", "jobs"} {
			if strings.Contains(plan, "SCAN "+table) {
				t.Errorf("%s: plan %q reads every row of %s", tt.name, plan, table)
			}
		}
	}
}

// Keys PrimeAbsent found unknown are answered without a statement until the
// transaction writes them: a source marked, a reference added, a job sent
// under that Message-ID for a ticket. Known ones are looked up as before.
func TestPrimedAbsentKeys(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "prime.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ticketID int64
	err = s.WithTx(ctx, func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail, State: inquiry.Assigned, ReceivedAt: at, UpdatedAt: at}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		ticketID = tk.ID
		if err := tx.MarkSource("mail:known", tk.ID, at); err != nil {
			return err
		}
		return tx.AddThreadRef(inquiry.ThreadRef{Ref: "known@example.org", TicketID: tk.ID, Kind: inquiry.JobAck})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.withTx(ctx, func(tx *Tx) error {
		if err := tx.PrimeAbsent([]string{"mail:known", "mail:new", "mail:new2"},
			[]string{"known@example.org", "new@example.org", "sent@example.org", "reply@example.org"}); err != nil {
			return err
		}
		for _, k := range []string{"mail:new", "mail:new2"} {
			if _, ok := tx.absentSources[k]; !ok {
				t.Errorf("source %s not primed as unknown", k)
			}
		}
		if _, ok := tx.absentSources["mail:known"]; ok {
			t.Error("a known source primed as unknown")
		}
		if _, ok := tx.absentRefs["known@example.org"]; ok {
			t.Error("a known reference primed as unknown")
		}
		if id, seen, err := tx.SourceTicket("mail:known"); err != nil || !seen || id != ticketID {
			t.Errorf("known source: ticket %d, seen %v, %v; want %d", id, seen, err, ticketID)
		}
		if _, seen, err := tx.SourceTicket("mail:new"); err != nil || seen {
			t.Errorf("unknown source: seen %v, %v", seen, err)
		}
		// Written in the transaction: known from then on.
		if err := tx.MarkSource("mail:new", ticketID, at); err != nil {
			return err
		}
		if _, seen, err := tx.SourceTicket("mail:new"); err != nil || !seen {
			t.Errorf("source marked in the transaction: seen %v, %v; want seen", seen, err)
		}
		if _, ok, err := tx.FindThreadRef([]string{"new@example.org", "sent@example.org", "reply@example.org"}); err != nil || ok {
			t.Errorf("unknown references: found %v, %v", ok, err)
		}
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "reply@example.org", TicketID: ticketID}); err != nil {
			return err
		}
		j := &inquiry.Job{TicketID: ticketID, Kind: inquiry.JobAck, Recipient: "c@example.net",
			Mail: &inquiry.Mail{MessageID: "sent@example.org", Date: at, Text: "x"}}
		if err := tx.AddJob(j); err != nil {
			return err
		}
		for _, tt := range []struct {
			refs []string
			want string
		}{
			{[]string{"new@example.org", "reply@example.org"}, "reply@example.org"},
			{[]string{"new@example.org", "sent@example.org", "reply@example.org"}, "sent@example.org"},
			{[]string{"known@example.org", "new@example.org"}, "known@example.org"},
			{[]string{"new@example.org"}, ""},
		} {
			ref, ok, err := tx.FindThreadRef(tt.refs)
			if err != nil || ok != (tt.want != "") || ref.Ref != tt.want {
				t.Errorf("FindThreadRef(%q): %q, found %v, %v; want %q", tt.refs, ref.Ref, ok, err, tt.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
