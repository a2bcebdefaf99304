package desk_test

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
)

// A client that threads by References alone (no In-Reply-To) replies to
// the acknowledgement of the citizen's newer ticket. Its References list
// the whole thread, oldest first, and the oldest known one (the older,
// long-closed ticket's acknowledgement) wins: the follow-up becomes a
// third ticket instead of joining the second.
func TestReferencesOnlyReplyFindsTheNewestTicket(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	ack1 := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	if _, err := f.desk.Close(context.Background(), "DKP-2026-000001", inquiry.Granted, "dërguar", "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(30 * 24 * time.Hour) // past reopen_days
	r1 := citizen("r1@example.net", "arben@example.net", "Re: Kërkesë", "Dua edhe kontratën e vitit 2025 për stadiumin.")
	r1.InReplyTo = []string{ack1.MessageID}
	r1.References = append(append([]string(nil), ack1.References...), ack1.MessageID)
	if d := f.handle(r1); d != inquiry.Filed {
		t.Fatalf("reply months later: %s, want filed (new ticket linked)", d)
	}
	const second = "DKP-2026-000002"
	if tk := f.ticket(second); tk.LinkedTo != "DKP-2026-000001" {
		t.Fatalf("second ticket linked to %q", tk.LinkedTo)
	}
	ack2 := jobsOf(f.jobs(second), inquiry.JobAck)[0].Mail
	t.Logf("ack2 subject %q, references %v", ack2.Subject, ack2.References)

	f.now = f.now.Add(time.Hour)
	r2 := citizen("r2@example.net", "arben@example.net", ack2.Subject, "Harrova: edhe aneksin e kontratës, ju lutem.")
	r2.References = append(append([]string(nil), ack2.References...), ack2.MessageID) // no In-Reply-To
	d := f.handle(r2)
	ts := f.tickets()
	if d != inquiry.Attached || len(ts) != 2 {
		t.Errorf("References-only reply to %s's acknowledgement: %s, %d tickets (last %s linked to %q); want attached to %s, 2 tickets",
			second, d, len(ts), ts[len(ts)-1].Number, ts[len(ts)-1].LinkedTo, second)
	}
}
