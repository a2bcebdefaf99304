package sqlite

import (
	"context"
	"fmt"
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
			other := &inquiry.Ticket{Number: fmt.Sprintf("DKP-2026-%06d", i+2), Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
				Sender: inquiry.Address{Address: fmt.Sprintf("c%d@example.net", i)}, ReceivedAt: base, UpdatedAt: base}
			if err := tx.CreateTicket(other); err != nil {
				return err
			}
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
	since := formatTime(base)
	for _, tt := range []struct {
		name, query, index string
		args               []any
	}{
		{"source keys", primeSourcesSQL, "sqlite_autoindex_sources_1", nil},
		{"thread references", primeRefsSQL, "sqlite_autoindex_thread_refs_1", nil},
		{"thread references", primeRefsSQL, "jobs_message_id", nil},
		{"senders' tickets", primeSendersSQL, "tickets_sender", []any{since}},
		{"recipients' jobs", primeRecipientsSQL, "jobs_rate", []any{string(inquiry.JobAck), since}},
	} {
		plan := queryPlan(t, s, tt.query, append([]any{`["a","b"]`}, tt.args...))
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

// What PrimeAbsent found unknown is answered without a statement until the
// transaction writes it: a source marked, a reference added, a job sent
// under that Message-ID for a ticket, a ticket of the sender (in any case
// of its ASCII letters, as SQLite's lower() reads it), a job to the
// recipient. Known ones, and look-ups further back than what was primed,
// are looked up as before.
func TestPrimedAbsentKeys(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "prime.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	day := at.Add(-24 * time.Hour)
	var ticketID int64
	err = s.WithTx(ctx, func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
			Sender: inquiry.Address{Address: "Known@example.net"}, ReceivedAt: at.Add(-time.Hour), UpdatedAt: at}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		old := &inquiry.Ticket{Number: "DKP-2026-000002", Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
			Sender: inquiry.Address{Address: "old@example.net"}, ReceivedAt: day.Add(-time.Hour), UpdatedAt: at}
		if err := tx.CreateTicket(old); err != nil {
			return err
		}
		ticketID = tk.ID
		if err := tx.MarkSource("mail:known", tk.ID, at); err != nil {
			return err
		}
		ack := &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "known@example.net", CreatedAt: at.Add(-time.Hour)}
		if err := tx.AddJob(ack); err != nil {
			return err
		}
		return tx.AddThreadRef(inquiry.ThreadRef{Ref: "known@example.org", TicketID: tk.ID, Kind: inquiry.JobAck})
	})
	if err != nil {
		t.Fatal(err)
	}
	senders := func(tx *Tx, addr string, from time.Time) int {
		t.Helper()
		list, err := tx.ListTickets(inquiry.TicketFilter{SenderAddress: addr, Channel: inquiry.ChannelEmail, ReceivedFrom: from})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	acks := func(tx *Tx, to string, since time.Time) int {
		t.Helper()
		n, err := tx.CountJobs(inquiry.JobAck, to, since)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	err = s.withTx(ctx, func(tx *Tx) error {
		err := tx.PrimeAbsent(store.Lookahead{
			Sources: []string{"mail:known", "mail:new", "mail:new2"},
			Refs:    []string{"known@example.org", "new@example.org", "sent@example.org", "reply@example.org"},
			Senders: []string{"KNOWN@example.net", "new@example.net", "Old@Example.net"}, SendersSince: day,
			JobKind: inquiry.JobAck, Recipients: []string{"known@example.net", "new@example.net"}, JobsSince: day,
		})
		if err != nil {
			return err
		}
		for _, k := range []string{"mail:new", "mail:new2"} {
			if _, ok := tx.absent.sources[k]; !ok {
				t.Errorf("source %s not primed as unknown", k)
			}
		}
		if _, ok := tx.absent.sources["mail:known"]; ok {
			t.Error("a known source primed as unknown")
		}
		if _, ok := tx.absent.refs["known@example.org"]; ok {
			t.Error("a known reference primed as unknown")
		}
		if _, ok := tx.absent.senders["known@example.net"]; ok {
			t.Error("a sender with a ticket in the window primed as without")
		}
		if _, ok := tx.absent.senders["old@example.net"]; !ok {
			t.Error("a sender whose ticket is older than the window not primed as without one")
		}
		if _, ok := tx.absent.recipients[kindRecipient{inquiry.JobAck, "known@example.net"}]; ok {
			t.Error("a recipient with an acknowledgement in the window primed as without")
		}
		if id, seen, err := tx.SourceTicket("mail:known"); err != nil || !seen || id != ticketID {
			t.Errorf("known source: ticket %d, seen %v, %v; want %d", id, seen, err, ticketID)
		}
		if _, seen, err := tx.SourceTicket("mail:new"); err != nil || seen {
			t.Errorf("unknown source: seen %v, %v", seen, err)
		}
		if n := senders(tx, "known@Example.net", day); n != 1 {
			t.Errorf("known sender: %d tickets, want 1", n)
		}
		if n := senders(tx, "old@example.net", day.Add(-2*time.Hour)); n != 1 {
			t.Errorf("a sender's tickets further back than primed: %d, want 1", n)
		}
		if n := acks(tx, "known@example.net", day); n != 1 {
			t.Errorf("known recipient: %d acknowledgements, want 1", n)
		}
		// Written in the transaction: known from then on.
		if err := tx.MarkSource("mail:new", ticketID, at); err != nil {
			return err
		}
		if _, seen, err := tx.SourceTicket("mail:new"); err != nil || !seen {
			t.Errorf("source marked in the transaction: seen %v, %v; want seen", seen, err)
		}
		if n := senders(tx, "new@example.net", day); n != 0 {
			t.Errorf("unknown sender: %d tickets", n)
		}
		tk := &inquiry.Ticket{Number: "DKP-2026-000003", Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
			Sender: inquiry.Address{Address: "NEW@example.net"}, ReceivedAt: at, UpdatedAt: at}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		if n := senders(tx, "New@example.net", day); n != 1 {
			t.Errorf("sender of a ticket filed in the transaction: %d tickets, want 1", n)
		}
		if n := acks(tx, "new@example.net", day); n != 0 {
			t.Errorf("unknown recipient: %d acknowledgements", n)
		}
		if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "new@example.net", CreatedAt: at}); err != nil {
			return err
		}
		if n := acks(tx, "new@example.net", day); n != 1 {
			t.Errorf("recipient of an acknowledgement queued in the transaction: %d, want 1", n)
		}
		if _, ok, err := tx.FindThreadRef([]string{"new@example.org", "sent@example.org", "reply@example.org"}); err != nil || ok {
			t.Errorf("unknown references: found %v, %v", ok, err)
		}
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "reply@example.org", TicketID: ticketID}); err != nil {
			return err
		}
		j := &inquiry.Job{TicketID: ticketID, Kind: inquiry.JobNotify, Recipient: "officer@example.org",
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
