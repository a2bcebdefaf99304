package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// An officer who edits a message the bot acted on (an answer relayed to
// the citizen, a command) is told that the edit goes nowhere: the citizen
// has the first text, and a correction must be a new message. Chatter in
// the officers' group, and anyone who is not an officer, get no answer.
func TestOfficersEditsAreAnsweredNotPassedOn(t *testing.T) {
	private := models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}
	group := models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}
	stranger := models.User{ID: 4242, FirstName: "Eve"}
	const typo, fixed = "It is open on Sundys.", "It is open on Sundays."
	tests := []struct {
		name string
		from models.User
		chat models.Chat
		// first is what was sent and edited into edit; %s is the ticket's
		// number. toNote makes it a reply to the officer's notification.
		first, edit string
		toNote      bool
		answered    bool // the officer is told about the edit
		relayed     bool // the first text reached the citizen
	}{
		{"/reply in the officer's chat", zamira, private, "/reply %s " + typo, "/reply %s " + fixed, false, true, true},
		{"reply to the notification", zamira, private, typo, fixed, true, true, true},
		{"/reply in the officers' group", zamira, group, "/reply %s " + typo, "/reply %s " + fixed, false, true, true},
		{"/reply on its own lines in the group", zamira, group, "/reply@" + botName + "\n%s\n" + typo, "/reply@" + botName + "\n%s\n" + fixed, false, true, true},
		{"a command the officer edits privately", zamira, private, "/tickets", "/ticket %s", false, true, false},
		{"chatter in the officers' group", zamira, group, "I think this is for the musem.", "I think this is for the museum.", false, false, false},
		{"a stranger's command in the officers' group", stranger, group, "/reply %s " + typo, "/reply %s " + fixed, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(john, generalEN)
			tk := f.tickets()[0]
			text := func(s string) string {
				if strings.Contains(s, "%s") {
					return fmt.Sprintf(s, tk.Number)
				}
				return s
			}
			m := models.Message{From: &tt.from, Chat: tt.chat, Text: text(tt.first)}
			if tt.toNote {
				note := f.lastSent(zamira.ID)
				m.ReplyToMessage = &note
			}
			m = f.tg.PushMessage(m)
			f.settle()
			before := len(f.tg.Sent(tt.chat.ID))
			toCitizen := len(f.tg.Sent(john.ID))

			edited := m
			edited.Text, edited.Entities = text(tt.edit), nil
			edited.EditDate = int(time.Now().Unix())
			f.tg.Push(models.Update{EditedMessage: &edited})
			f.settle()

			after := f.tg.Sent(tt.chat.ID)[before:]
			logged := strings.Contains(f.logs.String(), `level=INFO msg="officer's edited message declined`)
			if !tt.answered {
				if len(after) > 0 || logged {
					t.Errorf("the edit was answered %q (logged %v); want silence", texts(after), logged)
				}
			} else {
				if len(after) != 1 {
					t.Fatalf("the edit was answered %q; want one message", texts(after))
				}
				if miss := containsAll(after[0].Text, "nuk i kalon qytetarit", "mesazh të ri", "/reply"); len(miss) > 0 {
					t.Errorf("the answer %q lacks %q", after[0].Text, miss)
				}
				if r := after[0].ReplyToMessage; r == nil || r.ID != m.ID {
					t.Errorf("the answer does not quote the edited message %d: %+v", m.ID, r)
				}
				if !logged {
					t.Errorf("the edit was not logged at info:\n%s", f.logs.String())
				}
			}
			if n := len(f.tg.Sent(john.ID)); n != toCitizen {
				t.Errorf("the edit sent the citizen %d more messages", n-toCitizen)
			}
			var got []string
			for _, s := range f.tg.Sent(john.ID) {
				got = append(got, s.Text)
			}
			joined := strings.Join(got, "\n")
			if strings.Contains(joined, "Sundays") {
				t.Errorf("the corrected text reached the citizen: %q", got)
			}
			if relayed := strings.Contains(joined, "Sundys"); relayed != tt.relayed {
				t.Errorf("first text relayed %v, want %v", relayed, tt.relayed)
			}
			if tt.relayed {
				if n := len(f.jobs(tk.Number, inquiry.JobAnswer)); n != 1 {
					t.Errorf("%d answer jobs, want 1", n)
				}
			}
		})
	}
}
