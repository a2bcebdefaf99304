package desk_test

import (
	"strings"
	"testing"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// A citizen whose address has a quoted local part ("john doe"@example.org,
// which RFC 5321 allows) is a citizen to answer like any other: an officer
// who forwards her mail files her ticket, acknowledged at her address. A
// From whose quote is left open names nobody: no piece of it is taken for
// an address (doe@example.org would be someone else), and the forward
// stays the officer's own mail.
func TestOfficerForwardOfQuotedLocalPart(t *testing.T) {
	tests := []struct {
		name   string
		from   string // the citizen's From header in the attached mail
		sender string // the ticket's sender and the acknowledgement's address; "" the officer's own mail
	}{
		{"plain address", "Milica Jovanović <milica@example.rs>", "milica@example.rs"},
		{"quoted local part with a space", `"milica jovanovic"@example.rs`, "milica jovanovic@example.rs"},
		{"quoted local part with a name", `Milica Jovanović <"milica jovanovic"@example.rs>`, "milica jovanovic@example.rs"},
		{"quoted local part with a comma", `"jovanovic, milica"@example.rs`, "jovanovic, milica@example.rs"},
		{"quote left open", `"milica jovanovic@example.rs`, ""},
		{"stray quote", `milica jovanovic"@example.rs`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newForwardFixture(t)
			citizen := strings.Replace(milicaMail, "From: Milica Jovanović <milica@example.rs>", "From: "+tt.from, 1)
			fwd := strings.Replace(string(zamiraForwards("zamira-fwd-q@mkrs.example", true)), milicaMail, citizen, 1)
			m := parse.Parse([]byte(fwd), f.now, parseOptions())
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("forward: %s, want filed", d)
			}
			tk := f.ticket("DKP-2026-000001")
			acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck)
			if tt.sender == "" {
				if tk.Sender.Address != "zamira.ahmeti@mkrs.example" {
					t.Errorf("ticket from %q; want the officer's own mail", tk.Sender.Address)
				}
				for _, a := range acks {
					if a.Mail != nil && !strings.Contains(a.Mail.To[0].Address, "mkrs.example") {
						t.Errorf("acknowledged to %q, not someone the mail names", a.Mail.To[0].Address)
					}
				}
				return
			}
			if tk.Sender.Address != tt.sender {
				t.Errorf("ticket from %q, want the citizen %q", tk.Sender.Address, tt.sender)
			}
			if len(acks) != 1 || acks[0].Mail == nil || acks[0].Mail.To[0].Address != tt.sender {
				t.Errorf("acknowledgements %+v; want one to %q", acks, tt.sender)
			}
		})
	}
}
