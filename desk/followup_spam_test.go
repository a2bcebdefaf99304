package desk_test

import (
	"testing"
	"time"

	"sportel/inquiry"
)

// A citizen whose first mail the spam filter flagged writes again, in
// reply to their own first mail, unflagged: a person's mail that nobody
// hears of and nobody acknowledges is lost in practice.
func TestFollowUpToASpamFlaggedTicketIsHeard(t *testing.T) {
	f := newFixture(t)
	first := citizen("first@example.net", "arben@example.net", "Kërkesë për kontratën", docRequestSQ)
	first.Automation, first.AutomationReason = inquiry.Spam, "X-Spam-Flag: YES"
	if d := f.handle(first); d != inquiry.Filed {
		t.Fatalf("first: %s", d)
	}
	f.now = f.now.Add(3 * 24 * time.Hour)
	again := citizen("again@example.net", "arben@example.net", "Re: Kërkesë për kontratën", "A e morët kërkesën time? Nuk kam marrë asnjë përgjigje.\n\n> "+docRequestSQ)
	again.InReplyTo = []string{"first@example.net"}
	if d := f.handle(again); d != inquiry.Filed {
		t.Fatalf("the unflagged follow-up: %s, want filed", d)
	}
	tk := f.ticket("DKP-2026-000002")
	acks := len(jobsOf(f.jobs(tk.Number), inquiry.JobAck))
	notes := len(jobsOf(f.jobs(tk.Number), inquiry.JobNotify))
	if tk.LinkedTo != "DKP-2026-000001" || !tk.State.Open() || acks != 1 || notes == 0 {
		t.Errorf("the follow-up's ticket %s: linked to %q, state %s, %d acknowledgements, %d notifications; want linked to DKP-2026-000001, open, acknowledged, notified",
			tk.Number, tk.LinkedTo, tk.State, acks, notes)
	}
	if spam := f.ticket("DKP-2026-000001"); spam.State != inquiry.SpamMail {
		t.Errorf("the first ticket is %s now, want spam", spam.State)
	}
}
