package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"sportel/inquiry"
	"sportel/store"
)

// testEntry: Entry reads one entry, raw mail and attachment records
// included, exactly as Entries lists it, and only under its own ticket.
func testEntry(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	var tickets [2]int64
	inTx(t, s, func(tx store.Tx) error {
		for i := range tickets {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			tickets[i] = tk.ID
			for k := range 3 {
				e := &inquiry.Entry{
					TicketID: tk.ID, Kind: inquiry.EntryInbound, SourceID: fmt.Sprintf("uid:%d:%d", i, k),
					MessageID: fmt.Sprintf("m%d.%d@example.rs", i, k), Author: "qytetar@example.rs",
					Subject: "Pyetje", Text: fmt.Sprintf("ticket %d entry %d", i, k), CreatedAt: t0,
					Raw: fmt.Appendf(nil, "Subject: Pyetje\r\n\r\nticket %d entry %d\r\n", i, k),
				}
				if k == 1 {
					e.Attachments = []inquiry.Attachment{{Name: "skanim.pdf", ContentType: "application/pdf", Size: 9}}
				}
				if err := tx.AddEntry(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	listed, err := s.Entries(ctx, tickets[1])
	if err != nil || len(listed) != 3 {
		t.Fatalf("Entries = %d entries, %v; want 3", len(listed), err)
	}
	for _, want := range listed {
		got, ok, err := s.Entry(ctx, tickets[1], want.ID)
		if err != nil || !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("Entry(%d, %d) = %+v, %v, %v;\nwant %+v", tickets[1], want.ID, got, ok, err, want)
		}
	}
	missing := []struct {
		name            string
		ticket, entryID int64
	}{
		{"another ticket's entry", tickets[0], listed[0].ID},
		{"no such entry", tickets[1], listed[2].ID + 100},
		{"no such ticket", tickets[1] + 100, listed[0].ID},
	}
	for _, tt := range missing {
		if got, ok, err := s.Entry(ctx, tt.ticket, tt.entryID); ok || err != nil {
			t.Errorf("%s: Entry(%d, %d) = %+v, %v, %v; want false, nil", tt.name, tt.ticket, tt.entryID, got, ok, err)
		}
	}
}
