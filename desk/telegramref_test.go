package desk_test

import (
	"context"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

// A Telegram message's reference ("tg:<chat>:<message>") is recorded when
// Sportel sends it, and a reference keeps its first ticket. A mail's
// Message-ID is the sender's to write, and the parser takes "<tg:4242:7>"
// as one: were it recorded, a stranger who wrote the reference of an
// officer's next Telegram notification first would take it over, and the
// officer's reply to that notification would find the stranger's ticket,
// not a notification of theirs ("Officers are who the configuration says";
// "a reply to it always finds its ticket").
func TestMailCannotTakeATelegramReference(t *testing.T) {
	const (
		officerChat = 4242
		planted     = "tg:4242:7"
		mallory     = "mallory@evil.example"
	)
	tests := []struct {
		name string
		// plant has mallory's mail carrying planted taken in, the way
		// the case says.
		plant func(f *fixture)
	}{
		{"as a new inquiry", func(f *fixture) {
			f.handle(citizen(planted, mallory, "Pyetje", "A mund të më tregoni orarin e punës së bibliotekës?"))
		}},
		{"as a follow-up to her own ticket", func(f *fixture) {
			f.handle(citizen("first@evil.example", mallory, "Pyetje", "A mund të më tregoni orarin e punës së bibliotekës?"))
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			r := citizen(planted, mallory, "Re: Pyetje [DKP-2026-000001]", "Edhe të shtunave, ju lutem?")
			r.InReplyTo = []string{ack.MessageID}
			f.handle(r)
		}},
		{"as her mail sent again", func(f *fixture) {
			f.handle(citizen("first@evil.example", mallory, "Pyetje", "A mund të më tregoni orarin e punës së bibliotekës?"))
			f.now = f.now.Add(time.Minute)
			f.handle(citizen(planted, mallory, "Pyetje", "A mund të më tregoni orarin e punës së bibliotekës?"))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) {
				c.NotifyByTelegram = true
				c.Officers = append([]inquiry.Officer(nil), c.Officers...)
				for i := range c.Officers {
					if c.Officers[i].ID == "jusuf" {
						c.Officers[i].TelegramUserID = officerChat
					}
				}
			})
			ctx := context.Background()
			tc.plant(f)
			f.sendDue()
			f.now = f.now.Add(time.Hour)

			f.handle(citizen("arben-1@example.net", "arben@example.net", "Kërkesë për kontratën", docRequestSQ))
			victim := f.tickets()[len(f.tickets())-1]
			if victim.OfficerID != "jusuf" {
				t.Fatalf("document request routed to %q, want jusuf", victim.OfficerID)
			}
			// The outbox sends the Telegram notification; Telegram numbers
			// it as mallory guessed, and its reference is recorded.
			claimed, err := f.store.ClaimJobs(ctx, "outbox", f.now, time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			var sent []store.SentJob
			for _, j := range claimed {
				s := store.SentJob{ID: j.ID}
				if j.Kind == inquiry.JobNotify && j.Chat != nil && j.Chat.ChatID == officerChat {
					s.Ref = planted
					s.ThreadRef = &inquiry.ThreadRef{Ref: planted, TicketID: j.TicketID, Kind: j.Kind, OfficerID: j.Recipient}
				}
				sent = append(sent, s)
			}
			if _, err := f.store.FinishJobs(ctx, "outbox", sent, f.now); err != nil {
				t.Fatal(err)
			}

			got, ref, ok, err := f.desk.TicketByRef(ctx, planted)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || got.Number != victim.Number || ref.Kind != inquiry.JobNotify || ref.OfficerID != "jusuf" {
				t.Errorf("the notification's reference %s finds %s (kind %q, officer %q, found %v); want %s, notify, jusuf",
					planted, got.Number, ref.Kind, ref.OfficerID, ok, victim.Number)
			}
			if n := len(f.tickets()); n < 2 {
				t.Errorf("%d tickets: mallory's mail must still be taken in", n)
			}
			for _, tk := range f.tickets() {
				if tk.Sender.Address == mallory {
					return
				}
			}
			t.Errorf("no ticket of %s: her mail must be taken in as before", mallory)
		})
	}
}
