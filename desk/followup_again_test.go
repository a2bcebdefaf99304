package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// A follow-up the citizen's client sends twice (a new Message-ID, the same
// words) is kept once as a message and once as a "sent again" note: the
// officer hears of it as of one follow-up, whether it came as a
// notification of its own or in a digest. Anything else the citizen writes
// on the ticket is a follow-up of its own.
func TestFollowUpSentAgainIsNotNotifiedAgain(t *testing.T) {
	const subject = "Re: Thirrja për projekte [DKP-2026-000001]"
	const nudge = "A ka ndonjë lajm për kërkesën time? Ju faleminderit."
	followUp := func(id, text string) *inquiry.Message {
		return citizen(id, "arta@example.net", subject, text)
	}
	type step struct {
		after time.Duration
		msg   *inquiry.Message
		want  inquiry.Disposition
	}
	tests := []struct {
		name    string
		steps   []step
		inbound int // messages on the ticket
		again   int // "sent again" notes
	}{
		{"sent twice a minute apart", []step{
			{msg: followUp("f1@example.net", nudge), want: inquiry.Attached},
			{after: time.Minute, msg: followUp("f2@example.net", nudge), want: inquiry.Attached},
		}, 2, 1},
		{"sent twice, an hour apart, after the first was notified", []step{
			{msg: followUp("f1@example.net", nudge), want: inquiry.Attached},
			{after: time.Hour, msg: followUp("f2@example.net", strings.ToUpper(nudge)), want: inquiry.Attached},
		}, 2, 1},
		{"the same words more than a day later", []step{
			{msg: followUp("f1@example.net", nudge), want: inquiry.Attached},
			{after: 25 * time.Hour, msg: followUp("f2@example.net", nudge), want: inquiry.Attached},
		}, 3, 0},
		{"other words", []step{
			{msg: followUp("f1@example.net", nudge), want: inquiry.Attached},
			{after: time.Minute, msg: followUp("f2@example.net", "Harrova të shtoj: kërkesa është për vitin 2025."), want: inquiry.Attached},
		}, 3, 0},
		{"the same words under another subject", []step{
			{msg: followUp("f1@example.net", nudge), want: inquiry.Attached},
			{after: time.Minute, msg: citizen("f2@example.net", "arta@example.net", "Re: DKP-2026-000001 edhe një herë", nudge), want: inquiry.Attached},
		}, 3, 0},
	}
	// notified counts what the officer is told of the ticket's follow-ups:
	// notifications of their own and the items of digests.
	notified := func(jobs []inquiry.Job) int {
		n := 0
		for _, j := range jobsOf(jobs, inquiry.JobNotify) {
			if j.Digest != nil {
				n += j.Digest.Count
			} else {
				n++
			}
		}
		return n
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newQuietFixture(t, t.TempDir()+"/sportel.db")
			if got := f.handle(citizen("m0@example.net", "arta@example.net", "Thirrja për projekte", resendText)); got != inquiry.Filed {
				t.Fatalf("first mail: %s", got)
			}
			f.now = f.now.Add(10 * time.Minute)
			f.sendDue()
			before := notified(f.jobs("DKP-2026-000001"))
			for i, s := range tt.steps {
				f.now = f.now.Add(s.after)
				if got := f.handle(s.msg); got != s.want {
					t.Fatalf("follow-up %d: %s, want %s", i+1, got, s.want)
				}
				if i == 0 {
					f.sendDue()
				}
			}
			if n := len(f.tickets()); n != 1 {
				t.Fatalf("%d tickets, want 1", n)
			}
			entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
			if err != nil {
				t.Fatal(err)
			}
			notes := sentAgainNotes(entries)
			for _, e := range notes {
				if e.SourceID == "" || e.MessageID != "f2@example.net" {
					t.Errorf("the copy's note does not keep the mail: %+v", e)
				}
			}
			again := len(notes)
			if n := countEntries(entries, inquiry.EntryInbound); n != tt.inbound || again != tt.again {
				t.Errorf("%d messages and %d sent-again notes on the ticket, want %d and %d", n, again, tt.inbound, tt.again)
			}
			wantNotified := tt.inbound - 1 // the first message's notification
			if got := notified(f.jobs("DKP-2026-000001")) - before; got != wantNotified {
				t.Errorf("the officer was told of %d follow-ups, want %d", got, wantNotified)
			}
			// A reply to the copy finds the ticket.
			reply := citizen("r1@example.net", "arta@example.net", "Re: pa numër", "Edhe diçka tjetër, faleminderit.")
			reply.InReplyTo = []string{"f2@example.net"}
			if got := f.handle(reply); got != inquiry.Attached {
				t.Errorf("a reply to the second copy: %s, want attached to the ticket", got)
			}
		})
	}
}
