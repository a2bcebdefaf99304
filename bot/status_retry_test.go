package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"sportel/bot"
	"sportel/inquiry"
)

// flakyTickets is the real desk whose ticket list fails the first fail
// times, as a store does for a moment.
type flakyTickets struct {
	bot.Desk
	mu   sync.Mutex
	fail int
}

func (d *flakyTickets) Tickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	d.mu.Lock()
	fail := d.fail > 0
	d.fail--
	d.mu.Unlock()
	if fail {
		return nil, errors.New("database is locked")
	}
	return d.Desk.Tickets(ctx, f)
}

// A /status the store cannot answer for a moment is tried again and
// answered: it was logged and confirmed, the citizen left without an
// answer.
func TestStatusIsAnsweredAfterAStoreFailure(t *testing.T) {
	d := &flakyTickets{}
	f := newFixture(t, setup{opts: fastRetries, desk: func(inner bot.Desk) bot.Desk {
		d.Desk = inner
		return d
	}})
	f.say(arta, docRequestSQ)
	number := f.tickets()[0].Number
	d.mu.Lock()
	d.fail = 2
	d.mu.Unlock()
	f.say(arta, "/status")
	var status []string
	for _, m := range f.tg.Sent(arta.ID) {
		if strings.HasPrefix(m.Text, "Tiketat tuaja:") {
			status = append(status, m.Text)
		}
	}
	if len(status) != 1 || !strings.Contains(status[0], number) {
		t.Errorf("/status answered %q, want once with %s", status, number)
	}
	set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 0 {
		t.Errorf("%d updates set aside, want none", len(set))
	}
}
