package bot_test

import (
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// withHead adds a head of the division, who is told of every ticket marked
// urgent, by mail and in Telegram.
func withHead(c *desk.Config) {
	c.Officers = append(append([]inquiry.Officer(nil), c.Officers...),
		inquiry.Officer{ID: "drita", Name: "Drita Berisha", Email: "drita.berisha@mkrs.example", TelegramUserID: 504, Role: inquiry.RoleHead})
}

// A ticket that is already urgent, marked urgent again (by command or by
// button), is left as it is: nobody is told again, and the officer hears
// that it was already urgent, since when and by whom, not that the heads
// were told.
func TestUrgentAgainSaysAlreadyUrgentAndTellsNobody(t *testing.T) {
	tests := []struct {
		name          string
		text          string // the citizen's request
		first, second string // "cmd", "button", or "text": the citizen's text made it urgent
		by            string // who the officer is told marked it
	}{
		{"command twice", docRequestSQ, "cmd", "cmd", "Jusuf Lushaku"},
		{"button, then command", docRequestSQ, "button", "cmd", "Jusuf Lushaku"},
		{"command, then button", docRequestSQ, "cmd", "button", "Jusuf Lushaku"},
		{"button twice", docRequestSQ, "button", "button", "Jusuf Lushaku"},
		{"the text, then command", docRequestSQ + " Vëllai im është në paraburgim dhe afati i gjykatës skadon.", "text", "cmd", "Sportel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{deskCfg: withHead})
			f.say(arta, tt.text)
			n := f.tickets()[0].Number
			note := f.lastSent(jusuf.ID)
			mark := func(how string) string {
				switch how {
				case "text":
					return ""
				case "cmd":
					f.say(jusuf, "/urgent "+n)
					for _, s := range texts(f.tg.Sent(jusuf.ID)) {
						if strings.HasPrefix(s, n+" ") && strings.Contains(s, "urgjente") {
							how = s // the last such: the command's reply
						}
					}
					return how
				}
				f.press(jusuf, note, "t:"+n+":urgent")
				answers := f.tg.Calls("answerCallbackQuery")
				return answers[len(answers)-1].Form.Get("text")
			}
			mark(tt.first)
			if !f.ticket(n).Urgent {
				t.Fatal("not urgent after the first mark")
			}
			heads, notifies := len(f.jobs(n, inquiry.JobHeadNotice)), len(f.jobs(n, inquiry.JobNotify))
			if heads == 0 {
				t.Fatal("the first mark told no head: the scenario needs one")
			}
			got := mark(tt.second)
			if h, nt := len(f.jobs(n, inquiry.JobHeadNotice)), len(f.jobs(n, inquiry.JobNotify)); h != heads || nt != notifies {
				t.Errorf("marked again: head notices %d → %d, notifications %d → %d; want no new one", heads, h, notifies, nt)
			}
			if strings.Contains(got, "është njoftuar") {
				t.Errorf("marked again, the officer is told %q: that the heads were told (again)", got)
			}
			day := time.Now().UTC().Format("02.01.2006") // the bot dates in UTC unless told a Location
			if missing := containsAll(got, n, "tashmë urgjente", day, tt.by); len(missing) > 0 {
				t.Errorf("marked again, the officer is told %q; it lacks %q", got, missing)
			}
		})
	}
}
