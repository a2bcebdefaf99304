package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// The desk's per-mail look-up of a sender's newest tickets of the last day
// (a client's resend) runs inside the intake transaction, so its cost must
// not grow with the sender's tickets: SQLite must walk the sender's index
// from the newest end and stop at the limit, not read every ticket of the
// sender and sort them (a contact form writes thousands from one address).
func TestSendersNewestTicketsReadThroughTheIndex(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const formTickets = 300
	s := planStore(t, func(tx store.Tx) error {
		for i := range formTickets + 20 {
			sender := "forma@komuna.example"
			if i >= formTickets {
				sender = fmt.Sprintf("qytetar%d@example.net", i)
			}
			tk := &inquiry.Ticket{Number: fmt.Sprintf("DKP-2026-%06d", i+1), Channel: inquiry.ChannelEmail,
				Sender: inquiry.Address{Address: sender}, Subject: "Kërkesë", Language: inquiry.Albanian,
				Category: inquiry.GeneralQuestion, State: inquiry.Assigned, OfficerID: "zamira",
				ReceivedAt: base.Add(time.Duration(i) * time.Hour), UpdatedAt: base}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
		}
		return nil
	})

	latest := base.Add((formTickets - 1) * time.Hour)
	tests := []struct {
		name   string
		filter inquiry.TicketFilter
		want   []string
	}{
		{"the form's newest of the day, upper-case address",
			inquiry.TicketFilter{SenderAddress: "Forma@Komuna.example", Channel: inquiry.ChannelEmail,
				ReceivedFrom: latest.Add(-24 * time.Hour), NewestFirst: true, Limit: 3},
			[]string{"DKP-2026-000300", "DKP-2026-000299", "DKP-2026-000298"}},
		{"a citizen with one ticket",
			inquiry.TicketFilter{SenderAddress: "qytetar305@example.net", Channel: inquiry.ChannelEmail,
				ReceivedFrom: base, NewestFirst: true, Limit: 3},
			[]string{"DKP-2026-000306"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListTickets(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var numbers []string
			for _, tk := range got {
				numbers = append(numbers, tk.Number)
			}
			if strings.Join(numbers, " ") != strings.Join(tt.want, " ") {
				t.Errorf("ListTickets = %v, want %v", numbers, tt.want)
			}
			query, args := ticketListQuery(tt.filter)
			joined := queryPlan(t, s, query, args)
			if !strings.Contains(joined, "USING INDEX tickets_sender") || strings.Contains(joined, "TEMP B-TREE") {
				t.Errorf("plan %q: want the sender index walked in order, no sort", joined)
			}
		})
	}
}
