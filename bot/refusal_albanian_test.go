package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sportel/bot"
	"sportel/desk"
	"sportel/inquiry"
)

// storeDownDesk fails /urgent and /extend as a desk does whose store does
// not answer.
type storeDownDesk struct{ bot.Desk }

var errStoreDown = errors.New("database is locked (SQLITE_BUSY)")

func (storeDownDesk) SetUrgent(context.Context, string, bool, string) (inquiry.Ticket, desk.UrgentChange, error) {
	return inquiry.Ticket{}, desk.UrgentChange{}, fmt.Errorf("set urgent: %w", errStoreDown)
}

func (storeDownDesk) Extend(context.Context, string, int, string, string) (inquiry.Ticket, error) {
	return inquiry.Ticket{}, fmt.Errorf("extend: %w", errStoreDown)
}

// ticketUnreadableDesk cannot read a ticket, as a desk whose store does
// not answer: /close reads the ticket before it closes, to ask for the
// outcome or the ground.
type ticketUnreadableDesk struct{ bot.Desk }

func (ticketUnreadableDesk) Ticket(context.Context, string) (inquiry.Ticket, bool, error) {
	return inquiry.Ticket{}, false, fmt.Errorf("read ticket: %w", errStoreDown)
}

func (ticketUnreadableDesk) Tickets(context.Context, inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	return nil, fmt.Errorf("list tickets: %w", errStoreDown)
}

// englishInReply are pieces of the desk's English refusals and of Go's
// errors that must never reach an officer in Telegram.
var englishInReply = []string{"ticket ", "needs", "unknown", "already", "not allowed", "reopen it", "cannot",
	"give ", " is ", " the ", "takes ", "only ", "database", "locked", "failed"}

// Every refusal an officer meets in Telegram, the desk's lifecycle
// refusals among them, is in Albanian, and a failure of the store says
// the system failed, to try again, with the Go error only in the log, at
// error level.
func TestTelegramRefusalsHaveNoEnglish(t *testing.T) {
	const button, command = true, false
	recategorize := func(f *fixture, n string) error {
		_, err := f.desk.Recategorize(f.ctx, n, inquiry.PressInquiry, "jusuf")
		return err
	}
	notHeld := func(f *fixture, n string) error {
		_, err := f.desk.NotHeld(f.ctx, n, "", "jusuf")
		return err
	}
	storeDown := func(d bot.Desk) bot.Desk { return storeDownDesk{d} }
	unreadable := func(d bot.Desk) bot.Desk { return ticketUnreadableDesk{d} }
	failure := "Veprimi nuk u krye për një gabim të sistemit. Provoni sërish pas pak; nëse gabimi vazhdon, njoftoni administratorin e IT-së."
	tests := []struct {
		name    string
		desk    func(bot.Desk) bot.Desk
		prepare func(f *fixture, number string) error
		button  bool
		do      string // the button's action after "t:NUMBER:", or the command with NUMBER for the number
		want    []string
		errLog  bool // the failure is logged at error level
	}{
		{"an unknown ground", nil, nil, command, "/close NUMBER partly_granted whim",
			[]string{`Tiketa nuk u mbyll: Baza e refuzimit "whim" nuk njihet. Mundësitë: personal_data, classified.`}, false},
		{"a document request resolved", nil, nil, command, "/close NUMBER resolved",
			[]string{"Tiketa nuk u mbyll: Tiketa NUMBER është kërkesë për dokumente: zgjidhni vendimin"}, false},
		{"not held twice", nil, notHeld, command, "/notheld NUMBER",
			[]string{"Nuk u krye: Tiketa NUMBER është shënuar tashmë më"}, false},
		{"spam extended", nil, markSpam, command, "/extend NUMBER 5 arkivi",
			[]string{"Nuk u krye: Tiketa NUMBER është spam: ruhet, por nuk punohet. Për ta marrë në punë: /reopen NUMBER."}, false},
		{"a press inquiry extended", nil, recategorize, command, "/extend NUMBER 5 arkivi",
			[]string{"në kategorinë „pyetje nga media”", "vetëm kërkesat për dokumente"}, false},
		{"a press inquiry not held, by button", nil, recategorize, button, "notheld",
			[]string{"vetëm një kërkesë për dokumente mund të shënohet"}, false},
		{"a closed ticket reopened twice", nil, closeGranted, command, "/close NUMBER granted",
			[]string{"Tiketa NUMBER është e mbyllur: rihapeni më parë me /reopen NUMBER."}, false},
		{"the store down, by command", storeDown, nil, command, "/urgent NUMBER",
			[]string{"Nuk u krye: " + failure}, true},
		{"the store down, extending", storeDown, nil, command, "/extend NUMBER 5 arkivi",
			[]string{"Nuk u krye: " + failure}, true},
		{"the store down, by button", storeDown, nil, button, "urgent",
			[]string{"Nuk u krye: Veprimi nuk u krye për një gabim të sistemit."}, true},
		// /close reads the ticket first when the outcome or the ground is
		// still to be asked; a failed read is answered, not met with silence.
		{"the ticket unreadable, closing without an outcome", unreadable, nil, command, "/close NUMBER",
			[]string{"Tiketa nuk u mbyll: " + failure}, true},
		{"the ticket unreadable, closing without a ground", unreadable, nil, command, "/close NUMBER refused",
			[]string{"Tiketa nuk u mbyll: " + failure}, true},
		// Nor are /ticket and /tickets met with silence, which would read
		// as no such ticket and no open tickets.
		{"the ticket unreadable, showing it", unreadable, nil, command, "/ticket NUMBER",
			[]string{"Tiketa nuk u lexua: " + failure}, true},
		{"the tickets unreadable, listing them", unreadable, nil, command, "/tickets",
			[]string{"Tiketat nuk u lexuan: " + failure}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{desk: tt.desk})
			got := refusedAction(t, f, tt.prepare, tt.button, tt.do, tt.want)
			lower := strings.ToLower(got)
			for _, w := range englishInReply {
				if strings.Contains(lower, w) {
					t.Errorf("the officer read the English %q: %q", w, got)
				}
			}
			logged := strings.Contains(f.logs.String(), `level=ERROR msg="officer action failed"`) &&
				strings.Contains(f.logs.String(), "database is locked")
			if logged != tt.errLog {
				t.Errorf("logged at error level with the store's error: %v, want %v", logged, tt.errLog)
			}
		})
	}
}
