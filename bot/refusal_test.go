package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sportel/bot"
	"sportel/desk"
	"sportel/inquiry"
)

// untypedRefusalDesk refuses /urgent and the urgent button as the desk
// still refuses much: ErrLifecycle with an English reason, no kind.
type untypedRefusalDesk struct{ bot.Desk }

func (untypedRefusalDesk) SetUrgent(context.Context, string, bool, string) (inquiry.Ticket, desk.UrgentChange, error) {
	return inquiry.Ticket{}, desk.UrgentChange{}, fmt.Errorf("%w: the moon is in the wrong phase", desk.ErrLifecycle)
}

// An officer refused by the desk reads why in Albanian, whether they
// pressed a button or typed a command: a typed refusal whole, any other
// after an Albanian lead with the desk's reason. The log keeps the English.
func TestRefusalsAreShownInAlbanian(t *testing.T) {
	const button, command = true, false
	tests := []struct {
		name    string
		desk    func(bot.Desk) bot.Desk
		prepare func(f *fixture, number string) error
		button  bool
		do      string // the button's action after "t:NUMBER:" (or its whole data, "t:…"), or the command with NUMBER for the number
		want    []string
		log     string // English, in the log
	}{
		{"take, closed", nil, closeGranted, button, "take", []string{"mbyllur", "/reopen NUMBER"}, "is closed: reopen it before taking it"},
		{"take, spam", nil, markSpam, button, "take", []string{"spam", "nuk punohet", "/reopen NUMBER"}, "is spam mail, kept and not worked"},
		{"urgent, untyped", func(d bot.Desk) bot.Desk { return untypedRefusalDesk{d} }, nil, button, "urgent",
			[]string{"Nuk u krye: the moon is in the wrong phase"}, "not allowed: the moon"},
		{"/reply, closed", nil, closeGranted, command, "/reply NUMBER Ja dokumenti.", []string{"Përgjigjja nuk u dërgua", "mbyllur", "/reopen NUMBER"}, "is closed: reopen it before answering"},
		{"/reply, spam", nil, markSpam, command, "/reply NUMBER Ja dokumenti.", []string{"Përgjigjja nuk u dërgua", "spam", "nuk punohet"}, "is spam mail"},
		{"/urgent, untyped", func(d bot.Desk) bot.Desk { return untypedRefusalDesk{d} }, nil, command, "/urgent NUMBER",
			[]string{"Nuk u krye: the moon is in the wrong phase"}, "not allowed: the moon"},
		// A number that names no ticket is said in the desk's words
		// (desk.OfficerText), as the web workspace says it.
		{"/close, no such ticket", nil, nil, command, "/close DKP-2026-999999 granted", []string{"Nuk ka tiketë DKP-2026-999999."}, "no ticket DKP-2026-999999"},
		{"/reply, no such ticket", nil, nil, command, "/reply DKP-2026-999999 Ja.", []string{"Nuk ka tiketë DKP-2026-999999."}, "no ticket DKP-2026-999999"},
		{"/ticket, no such ticket", nil, nil, command, "/ticket DKP-2026-999999", []string{"Nuk ka tiketë DKP-2026-999999."}, ""},
		{"close menu, no such ticket", nil, nil, button, "t:DKP-2026-999999:close", []string{"Nuk ka tiketë DKP-2026-999999."}, "ticket button refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{desk: tt.desk})
			got := refusedAction(t, f, tt.prepare, tt.button, tt.do, tt.want)
			// The desk's English lead never reaches the officer.
			if strings.Contains(got, "not allowed") || strings.Contains(got, "reopen it") {
				t.Errorf("the officer read the desk's English: %q", got)
			}
			if !strings.Contains(f.logs.String(), tt.log) {
				t.Errorf("the log lacks the English refusal %q", tt.log)
			}
		})
	}
}

// A button press alert holds at most 200 characters on Telegram; a long
// reason is cut, not lost with the whole answer.
func TestLongRefusalFitsAnAlert(t *testing.T) {
	long := strings.Repeat("a very long reason ", 20)
	f := newFixture(t, setup{desk: func(d bot.Desk) bot.Desk { return longRefusalDesk{d, long} }})
	f.say(arta, docRequestSQ)
	n := f.tickets()[0].Number
	f.press(jusuf, f.lastSent(jusuf.ID), "t:"+n+":urgent")
	answers := f.tg.Calls("answerCallbackQuery")
	got := answers[len(answers)-1].Form.Get("text")
	if len([]rune(got)) > 200 || !strings.HasPrefix(got, "Nuk u krye: a very long reason") {
		t.Errorf("alert of %d characters: %q", len([]rune(got)), got)
	}
}

type longRefusalDesk struct {
	bot.Desk
	reason string
}

func (d longRefusalDesk) SetUrgent(context.Context, string, bool, string) (inquiry.Ticket, desk.UrgentChange, error) {
	return inquiry.Ticket{}, desk.UrgentChange{}, fmt.Errorf("%w: %s", desk.ErrLifecycle, d.reason)
}

// A refused button press on a notification whose ticket has moved on
// (closed, set aside as spam, no longer a document request) takes the
// buttons that cannot work away, or puts the ticket's current ones in
// their place; buttons that still fit the ticket are left alone.
func TestRefusedButtonRefreshesStaleKeyboard(t *testing.T) {
	recategorize := func(f *fixture, number string) error {
		_, err := f.desk.Recategorize(f.ctx, number, inquiry.GeneralQuestion, "zamira")
		return err
	}
	tests := []struct {
		name    string
		desk    func(bot.Desk) bot.Desk
		prepare func(f *fixture, number string) error
		action  string
		want    []string // the buttons' actions after the press; nil: none
		edited  bool
	}{
		{"take, closed", nil, closeGranted, "take", nil, true},
		{"take, spam", nil, markSpam, "take", nil, true},
		{"urgent, closed", nil, closeGranted, "urgent", nil, true},
		{"not held, no longer a document request", nil, recategorize, "notheld", []string{"reassign", "category", "close"}, true},
		{"refused, buttons still fit", func(d bot.Desk) bot.Desk { return untypedRefusalDesk{d} }, nil, "urgent",
			[]string{"take", "reassign", "category", "close", "urgent", "notheld"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{desk: tt.desk})
			f.say(arta, docRequestSQ)
			n := f.tickets()[0].Number
			note := f.lastSent(jusuf.ID)
			if tt.prepare != nil {
				if err := tt.prepare(f, n); err != nil {
					t.Fatal(err)
				}
			}
			edits := len(f.tg.Calls("editMessageReplyMarkup"))
			f.press(jusuf, note, "t:"+n+":"+tt.action)
			answers := f.tg.Calls("answerCallbackQuery")
			if last := answers[len(answers)-1].Form; last.Get("show_alert") != "true" {
				t.Fatalf("the press was not refused: %q", last.Get("text"))
			}
			var got []string
			for _, m := range f.tg.Sent(jusuf.ID) {
				if m.ID == note.ID {
					for _, d := range buttonData(m) {
						got = append(got, strings.TrimPrefix(d, "t:"+n+":"))
					}
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("after the refused press the notification offers %q, want %q", got, tt.want)
			}
			if edited := len(f.tg.Calls("editMessageReplyMarkup")) > edits; edited != tt.edited {
				t.Errorf("keyboard edited: %v, want %v", edited, tt.edited)
			}
		})
	}
}

// refusedAction files Arta's request, readies it (prepare), has Jusuf do
// an action on it — a button press (do: the action after "t:NUMBER:", or
// the button's whole data "t:…") or a command (NUMBER for the number) —
// and returns what he read, an alert for a button, having checked that
// each of want (NUMBER for the number) is in it.
func refusedAction(t *testing.T, f *fixture, prepare func(*fixture, string) error, button bool, do string, want []string) string {
	t.Helper()
	f.say(arta, docRequestSQ)
	n := f.tickets()[0].Number
	note := f.lastSent(jusuf.ID)
	if prepare != nil {
		if err := prepare(f, n); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if button {
		data := do
		if !strings.HasPrefix(data, "t:") {
			data = "t:" + n + ":" + data
		}
		f.press(jusuf, note, data)
		answers := f.tg.Calls("answerCallbackQuery")
		last := answers[len(answers)-1].Form
		if last.Get("show_alert") != "true" {
			t.Errorf("the refusal %q is no alert", last.Get("text"))
		}
		got = last.Get("text")
	} else {
		f.say(jusuf, strings.ReplaceAll(do, "NUMBER", n))
		got = f.lastSent(jusuf.ID).Text
	}
	for _, w := range want {
		if w = strings.ReplaceAll(w, "NUMBER", n); !strings.Contains(got, w) {
			t.Errorf("the officer read %q; want %q in it", got, w)
		}
	}
	return got
}
