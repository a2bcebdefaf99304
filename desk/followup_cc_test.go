package desk_test

import (
	"context"
	"fmt"
	"testing"

	"sportel/inquiry"
)

// Two citizens on one thread: Arben writes to the mailbox with Besa in Cc,
// and they answer each other with "reply all". Besa's first reply is a
// ticket of her own (it names Arben's, which is not hers); after that each
// one's mail joins their own ticket, which its References name further
// back, rather than becoming a new ticket, number and acknowledgement every
// time it replies to the other's mail. A stranger whose References name a
// ticket still joins none.
func TestCcThreadRepliesJoinTheirWritersTickets(t *testing.T) {
	const (
		arben = "arben@example.net"
		besa  = "besa@example.org"
	)
	type step struct {
		id, from, inReplyTo string
		refs                []string
		want                string // the ticket it ends on
		wantDisposition     inquiry.Disposition
	}
	steps := []step{
		{"a1@example.net", arben, "", nil, "DKP-2026-000001", inquiry.Filed},
		{"b1@example.org", besa, "a1@example.net", []string{"a1@example.net"}, "DKP-2026-000002", inquiry.Filed},
		{"a2@example.net", arben, "b1@example.org", []string{"a1@example.net", "b1@example.org"}, "DKP-2026-000001", inquiry.Attached},
		{"b2@example.org", besa, "a2@example.net", []string{"a1@example.net", "b1@example.org", "a2@example.net"}, "DKP-2026-000002", inquiry.Attached},
		{"m1@evil.example", "mallory@evil.example", "b2@example.org", []string{"a1@example.net", "b1@example.org", "a2@example.net", "b2@example.org"}, "DKP-2026-000003", inquiry.Filed},
	}
	f := newFixture(t)
	for i, s := range steps {
		m := citizen(s.id, s.from, "Re: Muzeu", fmt.Sprintf("Mesazhi %d: kur hapet muzeu etnologjik të dielën? A duhet rezervim për dy familje?", i+1))
		if s.inReplyTo != "" {
			m.InReplyTo = []string{s.inReplyTo}
		}
		m.References = s.refs
		if d := f.handle(m); d != s.wantDisposition {
			t.Errorf("mail %d from %s: %s, want %s", i+1, s.from, d, s.wantDisposition)
		}
		entries, err := f.store.Entries(context.Background(), f.ticket(s.want).ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || (e.SourceID == m.SourceID && e.Kind == inquiry.EntryInbound)
		}
		if !found {
			t.Errorf("mail %d from %s is not on %s", i+1, s.from, s.want)
		}
	}
	if n := len(f.tickets()); n != 3 {
		t.Errorf("%d tickets, want 3: Arben's, Besa's and the stranger's", n)
	}
	for number, to := range map[string]string{"DKP-2026-000001": arben, "DKP-2026-000002": besa} {
		if acks := jobsOf(f.jobs(number), inquiry.JobAck); len(acks) != 1 || acks[0].Mail.To[0].Address != to {
			t.Errorf("%s: %d acknowledgements, want one to %s", number, len(acks), to)
		}
	}
	if m := f.ticket("DKP-2026-000003").Mentions; m != "DKP-2026-000002" {
		t.Errorf("the stranger's ticket mentions %q, want DKP-2026-000002", m)
	}
}
