package storetest

import (
	"context"
	"fmt"
	"testing"

	"sportel/inquiry"
	"sportel/store"
)

// testInsertIDs holds every insert that hands back an id to the id of the
// row it wrote, when inserts of every kind (and a keyed job the store
// skips) interleave in one transaction, as filing a chunk of mail does. A
// driver reading the id from the connection rather than from the row
// would hand a skipped insert, or an insert whose triggers write other
// rows, another row's id.
func testInsertIDs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	type filed struct {
		ticket  *inquiry.Ticket
		entry   *inquiry.Entry
		job     *inquiry.Job
		skipped *inquiry.Job
		aside   *inquiry.SetAside
	}
	var all []filed
	inTx(t, s, func(tx store.Tx) error {
		for i := range 3 {
			tk := &inquiry.Ticket{Number: fmt.Sprintf("DKP-2026-%06d", 900+i), Channel: inquiry.ChannelEmail,
				Subject: fmt.Sprintf("subject %d", i), State: inquiry.Assigned, ReceivedAt: t0, UpdatedAt: t0}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			if err := tx.MarkSource(fmt.Sprintf("msgid:%d@x", i), tk.ID, t0); err != nil {
				return err
			}
			e := &inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "c@x",
				Subject: tk.Subject, Text: fmt.Sprintf("body %d", i), CreatedAt: t0, Raw: []byte("raw")}
			if err := tx.AddEntry(e); err != nil {
				return err
			}
			a := &inquiry.SetAside{Kind: inquiry.SetAsideMachine, SourceID: fmt.Sprintf("msgid:bounce%d@x", i),
				Reason: fmt.Sprintf("reason %d", i), ReceivedAt: t0}
			if err := tx.AddSetAside(a); err != nil {
				return err
			}
			j := &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: fmt.Sprintf("r%d", i),
				NextAt: t0, CreatedAt: t0, Mail: &inquiry.Mail{MessageID: fmt.Sprintf("ids-%d@sportel", i), Date: t0, Text: "x"}}
			if added, err := tx.AddJobOnce(fmt.Sprintf("ids:%d", i), j); err != nil || !added {
				return fmt.Errorf("AddJobOnce = %v, %v", added, err)
			}
			again := &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: "again", NextAt: t0, CreatedAt: t0,
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("ids-again-%d@sportel", i), Date: t0, Text: "x"}}
			if added, err := tx.AddJobOnce(fmt.Sprintf("ids:%d", i), again); err != nil || added {
				return fmt.Errorf("AddJobOnce of a taken key = %v, %v", added, err)
			}
			all = append(all, filed{tk, e, j, again, a})
		}
		return nil
	})
	jobs := allJobs(t, s)
	asides, err := s.ListSetAside(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range all {
		if tk, ok, err := s.TicketByID(ctx, f.ticket.ID); err != nil || !ok || tk.Number != f.ticket.Number {
			t.Errorf("%d: ticket id %d reads %q, %v, %v; want %s", i, f.ticket.ID, tk.Number, ok, err, f.ticket.Number)
		}
		if e, ok, err := s.Entry(ctx, f.ticket.ID, f.entry.ID); err != nil || !ok || e.Text != f.entry.Text {
			t.Errorf("%d: entry id %d reads %q, %v, %v; want %q", i, f.entry.ID, e.Text, ok, err, f.entry.Text)
		}
		if j, ok := jobs[f.job.ID]; !ok || j.Recipient != f.job.Recipient {
			t.Errorf("%d: job id %d reads recipient %q (found %v); want %q", i, f.job.ID, j.Recipient, ok, f.job.Recipient)
		}
		if f.skipped.ID != 0 {
			t.Errorf("%d: the skipped job was given id %d", i, f.skipped.ID)
		}
		found := false
		for _, a := range asides {
			if a.ID == f.aside.ID {
				found = a.Reason == f.aside.Reason
			}
		}
		if !found {
			t.Errorf("%d: set-aside id %d does not read its own row (reason %q)", i, f.aside.ID, f.aside.Reason)
		}
	}
	if len(jobs) != len(all) {
		t.Errorf("%d jobs stored, want %d", len(jobs), len(all))
	}
}
