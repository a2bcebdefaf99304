package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// A citizen with two tickets in one chat who replies to the older one's
// acknowledgement means that ticket, not the chat's latest; a message that
// replies to nothing, or to the latest, joins the latest as before.
func TestCitizenReplyJoinsTheTicketItAnswers(t *testing.T) {
	const addendum = "Ju lutem, më dërgoni edhe shtojcën e kontratës."
	tests := []struct {
		name      string
		replyToA  bool // reply to the first ticket's acknowledgement
		replyToB  bool // reply to the second ticket's
		wantFirst bool // the message joins the first ticket; else the second
	}{
		{"a reply to the older ticket's acknowledgement", true, false, true},
		{"a reply to the latest ticket's acknowledgement", false, true, false},
		{"no reply", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(arta, docRequestSQ)
			first := f.tickets()[0]
			ackA := f.lastSent(arta.ID)
			f.say(arta, "/new")
			f.say(arta, "Kur hapet thirrja për bursa për sportistët e rinj?")
			var second inquiry.Ticket
			for _, tk := range f.tickets() {
				if tk.Number != first.Number {
					second = tk
				}
			}
			ackB := f.lastSent(arta.ID)
			if !strings.Contains(ackA.Text, first.Number) || !strings.Contains(ackB.Text, second.Number) {
				t.Fatalf("acknowledgements %q and %q do not name %s and %s", ackA.Text, ackB.Text, first.Number, second.Number)
			}
			m := models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}, Text: addendum}
			switch {
			case tt.replyToA:
				m.ReplyToMessage = &ackA
			case tt.replyToB:
				m.ReplyToMessage = &ackB
			}
			f.tg.PushMessage(m)
			f.settle()

			if n := len(f.tickets()); n != 2 {
				t.Fatalf("%d tickets, want the two", n)
			}
			want, other := second, first
			if tt.wantFirst {
				want, other = first, second
			}
			for _, c := range []struct {
				tk   inquiry.Ticket
				want bool
			}{{want, true}, {other, false}} {
				entries, err := f.store.Entries(f.ctx, c.tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				has := false
				for _, e := range entries {
					has = has || e.Kind == inquiry.EntryInbound && strings.Contains(e.Text, addendum)
				}
				if has != c.want {
					t.Errorf("%s holds the reply: %v, want %v", c.tk.Number, has, c.want)
				}
			}
		})
	}
}
