package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/bot"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

// faultyDesk is the real desk with faults: one text always fails (poison),
// or the whole store is down (set-asides fail too) until it is healed.
type faultyDesk struct {
	bot.Desk
	mu   sync.Mutex
	down bool
	// heal brings the store back at the start of the next Handle, never
	// between a failed Handle and the set-aside that follows it.
	heal  bool
	tries map[string]int
	// lost is how many more tries of a text meet a pooled connection the
	// server ended, while other calls go through.
	lost map[string]int
}

func (d *faultyDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d.mu.Lock()
	d.tries[m.Text]++
	if d.heal {
		d.down = false
	}
	down := d.down
	lost := d.lost[m.Text] > 0
	if lost {
		d.lost[m.Text]--
	}
	d.mu.Unlock()
	if lost {
		return "", fmt.Errorf("look up 1 sources: %w: FATAL: terminating connection due to administrator command (SQLSTATE 57P01)", store.ErrConnLost)
	}
	if down || m.Text == "poison" {
		return "", errors.New("database or disk is full")
	}
	return d.Desk.Handle(ctx, m)
}

func (d *faultyDesk) Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	d.mu.Lock()
	down := d.down
	d.mu.Unlock()
	if down {
		return "", errors.New("database or disk is full")
	}
	return d.Desk.Quarantine(ctx, m, reason)
}

func (d *faultyDesk) triesOf(text string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tries[text]
}

func fastRetries(o *bot.Options) { o.RetryMin, o.RetryMax = 5*time.Millisecond, 20*time.Millisecond }

// An update that fails on every try while the store takes other writes is
// set aside as a recorded, quarantined update and confirmed; the chats
// behind it go on. It is never dropped unrecorded.
func TestPoisonUpdateIsSetAsideNotDropped(t *testing.T) {
	var fd *faultyDesk
	f := newFixture(t, setup{opts: fastRetries, desk: func(d bot.Desk) bot.Desk {
		fd = &faultyDesk{Desk: d, tries: map[string]int{}}
		return fd
	}})
	f.tg.PushText(arta, "poison")
	f.tg.PushText(john, generalEN)
	f.settle()
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1 (the update after the poison one)", n)
	}
	if f.tg.Pending() != 0 {
		t.Error("the poison update was left unconfirmed: it would block the queue")
	}
	set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
	if err != nil || len(set) != 1 {
		t.Fatalf("set aside: %+v, %v; want the poison update recorded", set, err)
	}
	if !strings.Contains(string(set[0].Raw), `"poison"`) || !strings.Contains(set[0].Reason, "disk is full") {
		t.Errorf("the record lacks the update or the reason: %q, %s", set[0].Reason, set[0].Raw)
	}
	if n := fd.triesOf("poison"); n != 4 {
		t.Errorf("the poison update was tried %d times, want 4 (3, then once more before setting it aside)", n)
	}
}

// An update whose tries keep meeting connections the server ended (an
// administrator's pg_terminate_backend, a restart), while a set-aside would
// go through on a fresh one, is not set aside: the store failed, not the
// update, which is filed once the store answers it.
func TestLostConnectionsSetNoUpdateAside(t *testing.T) {
	var fd *faultyDesk
	f := newFixture(t, setup{opts: fastRetries, desk: func(d bot.Desk) bot.Desk {
		fd = &faultyDesk{Desk: d, tries: map[string]int{}, lost: map[string]int{docRequestSQ: 8}}
		return fd
	}})
	f.tg.PushText(arta, docRequestSQ)
	f.tg.PushText(john, generalEN)
	f.settle()
	set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
	if err != nil || len(set) != 0 {
		t.Errorf("set aside: %+v, %v; want nothing", set, err)
	}
	if n := len(f.tickets()); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
	if n := fd.triesOf(docRequestSQ); n != 9 {
		t.Errorf("tried %d times, want 9 (8 on lost connections, then filed)", n)
	}
}

// When the store refuses every write, no update is skipped or set aside:
// they stay unconfirmed (Telegram keeps them), intake says it is blocked,
// and once the store is back they are all handled.
func TestSickStoreKeepsUpdatesUntilItRecovers(t *testing.T) {
	var fd *faultyDesk
	f := newFixture(t, setup{opts: fastRetries, desk: func(d bot.Desk) bot.Desk {
		fd = &faultyDesk{Desk: d, down: true, tries: map[string]int{}}
		return fd
	}})
	f.tg.PushText(arta, docRequestSQ)
	f.waitLog("telegram intake is blocked")
	testutil.Eventually(t, "ten tries of the update", 10*time.Second, func() (bool, error) {
		return fd.triesOf(docRequestSQ) >= 10, nil
	})
	if f.tg.Pending() == 0 {
		t.Fatal("an update was confirmed while the store was down: it is lost")
	}
	if f.bot.BlockedSince().IsZero() {
		t.Error("BlockedSince is zero while every write fails")
	}
	fd.mu.Lock()
	fd.heal = true
	fd.mu.Unlock()
	f.settle()
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets after recovery, want 1", n)
	}
	if set, _ := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0); len(set) != 0 {
		t.Errorf("a sick store set updates aside: %+v", set)
	}
	if !f.bot.BlockedSince().IsZero() {
		t.Error("still blocked after recovery")
	}
	// Ten tries and more: the outage said once when it began, at error,
	// and once when it ended, not at every try.
	logs := f.logs.String()
	for _, c := range []struct {
		msg, level string
		want       int
	}{
		{"telegram intake is blocked", "level=ERROR", 1},
		{"update not handled, will retry", "level=WARN", 1},
		{"telegram intake goes on again", "level=INFO", 1},
	} {
		n := 0
		for line := range strings.SplitSeq(logs, "\n") {
			if strings.Contains(line, c.level) && strings.Contains(line, c.msg) {
				n++
			}
		}
		if n != c.want {
			t.Errorf("%d lines %q at %s over %d tries, want %d:\n%s", n, c.msg, c.level, fd.triesOf(docRequestSQ), c.want, logs)
		}
	}
}

// The tries of one update while the store is down count once against the
// chat's flood limit: after recovery the citizen who wrote once is
// acknowledged, not muted.
func TestSickStoreRetriesDoNotMuteTheChat(t *testing.T) {
	var fd *faultyDesk
	f := newFixture(t, setup{
		opts: func(o *bot.Options) { fastRetries(o); o.FloodMessages, o.FloodPer = 3, time.Hour },
		desk: func(d bot.Desk) bot.Desk {
			fd = &faultyDesk{Desk: d, down: true, tries: map[string]int{}}
			return fd
		},
	})
	f.tg.PushText(arta, docRequestSQ)
	testutil.Eventually(t, "six tries of the update", 10*time.Second, func() (bool, error) {
		return fd.triesOf(docRequestSQ) >= 6, nil
	})
	fd.mu.Lock()
	fd.heal = true
	fd.mu.Unlock()
	f.settle()
	ts := f.tickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets after recovery, want 1", len(ts))
	}
	sent := texts(f.tg.Sent(arta.ID))
	acked := false
	for _, s := range sent {
		if strings.Contains(s, "shumë shpejt") {
			t.Errorf("a citizen who wrote once was told they write too fast: %q", s)
		}
		acked = acked || strings.Contains(s, ts[0].Number)
	}
	if !acked {
		t.Errorf("no acknowledgement naming %s in %q: the retries muted the chat", ts[0].Number, sent)
	}
}

// While the store refuses every write, the bot retries the unconfirmed
// update with a growing pause (as the IMAP watcher does), not at the
// shortest retry interval for ever.
func TestSickStoreRetriesBackOff(t *testing.T) {
	var fd *faultyDesk
	f := newFixture(t, setup{
		opts: func(o *bot.Options) { o.RetryMin, o.RetryMax = 10*time.Millisecond, 5*time.Second },
		desk: func(d bot.Desk) bot.Desk {
			fd = &faultyDesk{Desk: d, down: true, tries: map[string]int{}}
			return fd
		}})
	f.tg.PushText(arta, docRequestSQ)
	f.waitLog("update not handled, will retry")
	start := fd.triesOf(docRequestSQ)
	time.Sleep(3 * time.Second)
	n := fd.triesOf(docRequestSQ) - start
	// Doubling from 10 ms (with jitter down to half) gives at most about a
	// dozen tries in 3 s; a fixed 10 ms pause gives hundreds.
	if n > 30 {
		t.Errorf("%d tries of the update in 3 s with the store down (RetryMin 10ms, RetryMax 5s): the pause never grows", n)
	}
}

// An update the bot cannot read (a field whose JSON type is not the
// library's, a kind of update it does not know) is set aside with the
// update as Telegram sent it and the reason, logged at warn with its id,
// and confirmed; the update after it is handled. It is neither dropped
// unrecorded nor retried for ever.
func TestUnreadableUpdateIsSetAsideNotDropped(t *testing.T) {
	tests := []struct {
		name   string
		update string // a JSON object; the fake sets its update_id
		raw    string // what the record must keep of it
		reason string // what the reason must say
	}{
		{
			name:   "a field of another type",
			update: `{"message":{"message_id":7,"date":"yesterday","chat":{"id":1001,"type":"private","first_name":"Arta"},"from":{"id":1001,"is_bot":false,"first_name":"Arta"},"text":"Kërkoj kontratën e stadiumit"}}`,
			raw:    `"Kërkoj kontratën e stadiumit"`,
			reason: "could not be decoded",
		},
		{
			name:   "a kind of update the bot does not know",
			update: `{"future_kind":{"id":"x1","from":{"id":1001,"is_bot":false,"first_name":"Arta"},"note":"something new"}}`,
			raw:    `"something new"`,
			reason: "none of message, edited_message, callback_query",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{opts: fastRetries})
			id := f.tg.PushRaw(tt.update)
			f.tg.PushText(john, generalEN)
			f.settle()
			if f.tg.Pending() != 0 {
				t.Fatal("the unreadable update was left unconfirmed: it blocks the updates behind it")
			}
			if n := len(f.tickets()); n != 1 {
				t.Errorf("%d tickets, want 1 (the update after the unreadable one)", n)
			}
			set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
			if err != nil || len(set) != 1 {
				t.Fatalf("set aside: %+v, %v; want the unreadable update recorded", set, err)
			}
			if got := set[0]; !strings.Contains(string(got.Raw), tt.raw) || !strings.Contains(got.Reason, tt.reason) ||
				got.SourceID != fmt.Sprintf("tgupdate:%d", id) {
				t.Errorf("the record lacks the update as sent or the reason: source %s, reason %q, raw %s", got.SourceID, got.Reason, got.Raw)
			}
			warned := false
			for _, line := range strings.Split(f.logs.String(), "\n") {
				warned = warned || strings.Contains(line, "level=WARN") && strings.Contains(line, fmt.Sprintf("update_id=%d ", id)) &&
					strings.Contains(line, "set aside")
			}
			if !warned {
				t.Errorf("no warning names update %d as set aside:\n%s", id, f.logs.String())
			}
		})
	}
}

// An unreadable update that cannot be set aside because the store refuses
// every write is not confirmed: intake is reported blocked, and once the
// store is back the update is set aside.
func TestUnreadableUpdateWaitsForASickStore(t *testing.T) {
	var fd *faultyDesk
	f := newFixture(t, setup{opts: fastRetries, desk: func(d bot.Desk) bot.Desk {
		fd = &faultyDesk{Desk: d, down: true, tries: map[string]int{}}
		return fd
	}})
	f.tg.PushRaw(`{"future_kind":{"note":"something new"}}`)
	f.waitLog("telegram intake is blocked")
	if f.tg.Pending() == 0 {
		t.Fatal("the unreadable update was confirmed while the store refused to record it: it is lost")
	}
	if f.bot.BlockedSince().IsZero() {
		t.Error("BlockedSince is zero while every write fails")
	}
	fd.mu.Lock()
	fd.down = false
	fd.mu.Unlock()
	f.settle()
	if set, _ := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0); len(set) != 1 || !strings.Contains(string(set[0].Raw), "something new") {
		t.Errorf("after recovery, set aside: %+v; want the unreadable update", set)
	}
	if !f.bot.BlockedSince().IsZero() {
		t.Error("still blocked after recovery")
	}
}
