package desk_test

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
)

// A subject may name several tickets: the acknowledgement of a ticket
// opened by a mail whose subject named another one adds its own number
// after it ("Re: [DKP-2026-000001] edhe unë [DKP-2026-000002]"). A citizen
// who writes again under that subject without the thread's references (a
// new mail with the subject copied, a webmail that drops them) names their
// own ticket too, and joins it; a number that is someone else's still
// joins nothing.
func TestFollowUpFindsTheRequestersNumberAmongTheSubjects(t *testing.T) {
	const (
		arben = "arben@example.net"
		besa  = "besa@example.org"
	)
	tests := []struct {
		name string
		// setup files the tickets and gives the subject the follow-up copies.
		setup func(f *fixture) (subject string)
		from  string
		// want is the ticket the follow-up joins; "" for a new ticket.
		want         string
		wantMentions string
	}{
		{"after a stranger's number, the sender's own, from our acknowledgement", func(f *fixture) string {
			f.handle(citizen("s1@example.org", besa, "[DKP-2026-000001] edhe unë", "Kur hapet muzeu i qytetit të shtunën?"))
			return "Re: " + jobsOf(f.jobs("DKP-2026-000002"), inquiry.JobAck)[0].Mail.Subject
		}, besa, "DKP-2026-000002", ""},
		{"after the sender's ticket closed long ago, the one its reply opened", func(f *fixture) string {
			if _, err := f.desk.Close(context.Background(), "DKP-2026-000001", "", "", "zamira"); err != nil {
				f.t.Fatal(err)
			}
			f.now = f.now.Add(30 * 24 * time.Hour)
			f.handle(citizen("r1@example.net", arben, "Re: Pyetje [DKP-2026-000001]", "Kur hapet muzeu i qytetit të shtunën?"))
			return "Re: " + jobsOf(f.jobs("DKP-2026-000002"), inquiry.JobAck)[0].Mail.Subject
		}, arben, "DKP-2026-000002", ""},
		{"the sender's own number first", func(f *fixture) string {
			f.handle(citizen("s1@example.org", besa, "Muzeu", "Kur hapet muzeu i qytetit të shtunën?"))
			return "Re: [DKP-2026-000002] si [DKP-2026-000001]"
		}, besa, "DKP-2026-000002", ""},
		{"only someone else's numbers", func(f *fixture) string {
			f.handle(citizen("s1@example.org", besa, "Muzeu", "Kur hapet muzeu i qytetit të shtunën?"))
			return "Re: [DKP-2026-000001] [DKP-2026-000002]"
		}, "mallory@evil.example", "", "DKP-2026-000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.handle(citizen("orig@example.net", arben, "Pyetje", "Kur hapet muzeu etnologjik të dielën?"))
			subject := tt.setup(f)
			before := len(f.tickets())
			m := citizen("again@example.org", tt.from, subject, "Harrova: edhe orari i së dielës, ju lutem.")
			d := f.handle(m)
			ts := f.tickets()
			if tt.want == "" {
				if d != inquiry.Filed || len(ts) != before+1 || ts[len(ts)-1].Mentions != tt.wantMentions {
					t.Fatalf("%s, %d tickets (mentions %q); want a new ticket that mentions %s", d, len(ts), ts[len(ts)-1].Mentions, tt.wantMentions)
				}
				return
			}
			if d != inquiry.Attached || len(ts) != before {
				t.Fatalf("%s, %d tickets; want it joined to %s", d, len(ts), tt.want)
			}
			entries, err := f.store.Entries(context.Background(), f.ticket(tt.want).ID)
			if err != nil {
				t.Fatal(err)
			}
			if last := entries[len(entries)-1]; last.SourceID != m.SourceID {
				t.Errorf("%s's last entry is %q, want the follow-up", tt.want, last.SourceID)
			}
		})
	}
}

// A number typed by hand in a subject finds its ticket as the one our
// acknowledgement's subject carries does: on a Serbian Cyrillic keyboard
// ("ДКП-2026-1"), or with spaces. It joins only its requester's mail.
func TestFollowUpFindsANumberTypedByHand(t *testing.T) {
	tests := []struct {
		subject, from string
		want          inquiry.Disposition
	}{
		{"Одг: ДКП-2026-1", "marko@example.rs", inquiry.Attached},
		{"lidhur me kërkesën dkp 2026 000001", "marko@example.rs", inquiry.Attached},
		{"Одг: ДКП-2026-1", "mallory@evil.example", inquiry.Filed},
	}
	for _, tt := range tests {
		t.Run(tt.subject+" from "+tt.from, func(t *testing.T) {
			f := newFixture(t)
			f.handle(citizen("orig@example.rs", "marko@example.rs", "Захтев", "Поштовани, молим вас за копију уговора о реновирању стадиона у Призрену."))
			d := f.handle(citizen("again@example.org", tt.from, tt.subject, "Да ли сте примили мој захтев? Нисам добио никакав одговор."))
			ts := f.tickets()
			switch {
			case d != tt.want:
				t.Errorf("%s, want %s", d, tt.want)
			case d == inquiry.Filed && ts[len(ts)-1].Mentions != "DKP-2026-000001":
				t.Errorf("the stranger's ticket mentions %q, want DKP-2026-000001", ts[len(ts)-1].Mentions)
			}
		})
	}
}
