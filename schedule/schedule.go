// Package schedule runs the legal clock's own sends inside `sportel run`:
// reminders to an officer before a document request's deadline, an
// escalation to the heads of the division when a deadline passes with no
// decision (recorded on the ticket as a refusal by silence), and a daily
// digest to the heads on working days. Every send is an outbox job written
// under a key (Tx.AddJobOnce) that the store keeps unique, so a restart, a
// pass repeated after a crash, or a second instance never sends one twice.
//
// The scheduler keeps no schedule of its own: each pass reads the open
// tickets and the clock and works out what is due now, so a changed
// deadline (an extension) or a decision is seen at the next pass.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/store"
)

// Store is what the scheduler needs from persistence.
type Store interface {
	WithTx(ctx context.Context, fn func(store.Tx) error) error
	ListTickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	TicketByID(ctx context.Context, id int64) (inquiry.Ticket, bool, error)
	FailedJobs(ctx context.Context, from, before time.Time, limit int) ([]inquiry.Job, int, error)
	// GetState and SetState keep the last digest's window.
	GetState(ctx context.Context, key string) (value string, ok bool, err error)
	SetState(ctx context.Context, key, value string) error
}

// Config is what the scheduler needs to know.
type Config struct {
	// Calendar and Location say which days are working days and where the
	// hours below are read.
	Calendar *calendar.Calendar
	Location *time.Location
	// Reminders are working days before the due day (0: the due day
	// itself) on which the officer is reminded, at ReminderHour (time
	// since midnight).
	Reminders    []int
	ReminderHour time.Duration
	// DigestHour is when the heads' daily digest is due on working days;
	// NoDailyDigest sends none (tickets.digest_hour: off).
	DigestHour    time.Duration
	NoDailyDigest bool
	// Officers are all officers; those with role head get escalations and
	// digests.
	Officers []inquiry.Officer
	// Telegram sends to officers' Telegram chats too (those with a
	// telegram_user_id), as their notifications go.
	Telegram bool
	// Mailbox is the sender of every mail; MessageIDDomain and
	// MessageIDPrefix make Message-IDs the parser knows as our own.
	Mailbox         inquiry.Address
	MessageIDDomain string
	MessageIDPrefix string
	// Interval is the time between passes (default one minute).
	Interval time.Duration
	// Now and Sleep are the clock (defaults: time.Now and a timer); tests
	// give a fake one. Sleep returns early with ctx's error.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// JobsQueued, when set, is called after a pass queued jobs (the
	// outbox's Poke).
	JobsQueued func()
}

// defaultInterval is how late a send may be: reminders and digests are
// due at a minute of the day.
const defaultInterval = time.Minute

// Scheduler queues reminders, escalations and digests. Run it once per
// daemon; a second one (another instance on the same store) sends nothing
// twice. Its passes must not overlap: Run makes them one after another.
type Scheduler struct {
	// mu keeps a Reconfigure from changing what a pass is working from.
	mu        sync.Mutex
	cfg       Config
	st        Store
	log       *slog.Logger
	officers  map[string]inquiry.Officer
	heads     []inquiry.Officer
	reminders []int // descending: earliest reminder first

	// settled remembers, for the day, keys the store already holds, so a
	// pass does not open a transaction for them every interval. It is a
	// cache only: the store's unique key decides what is sent. A reminder's
	// entry names the ticket as it was (keyed.memo): a cancel gives its key
	// up (Tx.CancelJobs), and the ticket it fits again (reopened, given
	// back) has changed since, so it is queued again the same day.
	settled    map[string]bool
	settledDay calendar.Date
}

// New checks cfg and returns a Scheduler.
func New(cfg Config, st Store, log *slog.Logger) (*Scheduler, error) {
	if err := check(cfg); err != nil {
		return nil, fmt.Errorf("new scheduler: %w", err)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = defaultInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	s := &Scheduler{st: st, log: log, settled: map[string]bool{}}
	s.apply(cfg)
	return s, nil
}

// check refuses a configuration the scheduler cannot work from.
func check(cfg Config) error {
	if cfg.Calendar == nil {
		return errors.New("no calendar")
	}
	if cfg.Location == nil {
		return errors.New("no location")
	}
	if cfg.Mailbox.Address == "" || cfg.MessageIDDomain == "" {
		return errors.New("no mailbox address or Message-ID domain")
	}
	for _, n := range cfg.Reminders {
		if n < 0 {
			return fmt.Errorf("reminder %d working days before the due day is negative", n)
		}
	}
	return nil
}

// apply makes cfg the one passes work from.
func (s *Scheduler) apply(cfg Config) {
	s.cfg = cfg
	s.officers, s.heads = map[string]inquiry.Officer{}, nil
	for _, o := range cfg.Officers {
		s.officers[o.ID] = o
		if o.IsHead() {
			s.heads = append(s.heads, o)
		}
	}
	s.reminders = slices.Clone(cfg.Reminders)
	slices.Sort(s.reminders)
	s.reminders = slices.Compact(s.reminders)
	slices.Reverse(s.reminders)
	// Said once per configuration loaded, not per Run: Run starts again
	// with every leadership term, and the configuration has not changed.
	if len(s.heads) == 0 {
		s.log.Warn("no officer has role head: deadlines that pass are recorded on their tickets, but no escalation or daily digest is sent")
	}
}

// Reconfigure makes the next pass work from cfg (a reloaded configuration:
// officers, calendar, reminders and hours); a pass under way finishes on
// the old one. The clock (Now, Sleep, Interval) stays as it was. What the
// store already holds is never sent again: keys name the officer, the day
// and the target, so a changed officer gets their own send.
func (s *Scheduler) Reconfigure(cfg Config) error {
	if err := check(cfg); err != nil {
		return fmt.Errorf("reconfigure scheduler: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg.Interval, cfg.Now, cfg.Sleep = s.cfg.Interval, s.cfg.Now, s.cfg.Sleep
	s.apply(cfg)
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run makes a pass every interval until ctx is done. A failed pass is
// logged and the next one tries again: nothing it would have sent is lost,
// since every pass works out from the store what is due.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	sleep, interval := s.cfg.Sleep, s.cfg.Interval
	s.mu.Unlock()
	for {
		if err := s.Pass(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Error("scheduled sends", "err", err)
		}
		if err := sleep(ctx, interval); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("wait for the next pass: %w", err)
		}
	}
}

// Pass queues whatever is due at the clock's now and not queued yet.
func (s *Scheduler) Pass(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	if today := calendar.DateOf(now.In(s.cfg.Location)); today != s.settledDay {
		s.settled, s.settledDay = map[string]bool{}, today
	}
	open, err := s.st.ListTickets(ctx, inquiry.TicketFilter{
		States:   []inquiry.State{inquiry.Assigned, inquiry.Answered},
		Category: inquiry.DocumentRequest,
	})
	if err != nil {
		return fmt.Errorf("list open document requests: %w", err)
	}
	var errs []error
	queued := 0
	for _, t := range open {
		if !t.AwaitsDecision() {
			// A not-held notice was the decision: the requester has it,
			// whether or not the ticket is closed yet. No reminder of a
			// decision to make, no escalation, no refusal by silence.
			continue
		}
		n, err := s.ticketSends(ctx, t, now)
		queued += n
		if err != nil {
			errs = append(errs, fmt.Errorf("ticket %s: %w", t.Number, err))
		}
	}
	n, err := s.safely("daily digest", func() (int, error) { return s.digest(ctx, now) })
	queued += n
	if err != nil {
		errs = append(errs, err)
	}
	if queued > 0 && s.cfg.JobsQueued != nil {
		s.cfg.JobsQueued()
	}
	return errors.Join(errs...)
}

// ticketSends queues what is due for one open request: its escalation
// once the deadline passed, else its reminder.
func (s *Scheduler) ticketSends(ctx context.Context, t inquiry.Ticket, now time.Time) (int, error) {
	return s.safely("reminder or escalation", func() (int, error) {
		if !now.Before(t.DueAt) {
			return s.escalate(ctx, t, now)
		}
		return s.remind(ctx, t, now)
	})
}

// safely runs one part of a pass with a bug it meets made its error: a
// panic would end the daemon, and every restart would meet it again in its
// first pass, stopping the intake with it; as an error it is logged, and
// the other tickets' sends and the intake go on.
func (s *Scheduler) safely(what string, fn func() (int, error)) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("internal error in the scheduler", "part", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: internal error: %v", what, r)
		}
	}()
	return fn()
}

// at is the moment of the day d at clock (time since midnight) in the
// scheduler's zone; built from the fields, so a day with a clock change
// still gets 08:00 on the clock.
func (s *Scheduler) at(d calendar.Date, clock time.Duration) time.Time {
	h, m := int(clock/time.Hour), int(clock%time.Hour/time.Minute)
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, s.cfg.Location)
}

// workingDaysBefore is the nth working day before d (d itself for 0).
func (s *Scheduler) workingDaysBefore(d calendar.Date, n int) calendar.Date {
	for ; n > 0; n-- {
		d = d.AddDays(-1)
		for !s.cfg.Calendar.IsWorkingDay(d) {
			d = d.AddDays(-1)
		}
	}
	return d
}

// previousWorkingDay is the working day before d.
func (s *Scheduler) previousWorkingDay(d calendar.Date) calendar.Date {
	return s.workingDaysBefore(d, 1)
}

// target is one place an officer is written to: their mailbox (chat 0) or
// their Telegram chat.
type target struct{ chat int64 }

func (t target) String() string {
	if t.chat == 0 {
		return "mail"
	}
	return fmt.Sprintf("tg%d", t.chat)
}

// targets lists where officer hears from the scheduler: where their
// notifications go (desk/queue.go), without the officers' group.
func (s *Scheduler) targets(o inquiry.Officer) []target {
	var out []target
	if o.Email != "" {
		out = append(out, target{})
	}
	if s.cfg.Telegram && o.TelegramUserID != 0 {
		out = append(out, target{chat: o.TelegramUserID})
	}
	return out
}

// keyed is a job and the key it is queued under.
type keyed struct {
	key string
	job *inquiry.Job
	// memo is what settled remembers it by; "" is the key.
	memo string
}

func (k keyed) settledAs() string {
	if k.memo != "" {
		return k.memo
	}
	return k.key
}

// pending drops the jobs whose keys are already settled today.
func (s *Scheduler) pending(jobs []keyed) []keyed {
	var out []keyed
	for _, k := range jobs {
		if !s.settled[k.settledAs()] {
			out = append(out, k)
		}
	}
	return out
}

// queue writes jobs under their keys in tx and returns how many the store
// took; a key it already held is skipped.
func queue(tx store.Tx, jobs []keyed) (int, error) {
	n := 0
	for _, k := range jobs {
		added, err := tx.AddJobOnce(k.key, k.job)
		if err != nil {
			return n, fmt.Errorf("queue %s: %w", k.key, err)
		}
		if added {
			n++
		}
	}
	return n, nil
}

// settle remembers keys the store now holds.
func (s *Scheduler) settle(jobs []keyed) {
	for _, k := range jobs {
		s.settled[k.settledAs()] = true
	}
}

func (s *Scheduler) newMessageID(kind string) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return fmt.Sprintf("%s%s.%s@%s", s.cfg.MessageIDPrefix, kind, hex.EncodeToString(b[:]), s.cfg.MessageIDDomain)
}

// job builds the send of text (subject for mail) to officer at tg.
func (s *Scheduler) job(kind inquiry.JobKind, ticket *inquiry.Ticket, o inquiry.Officer, tg target, subject, text, chatText string, now time.Time) *inquiry.Job {
	j := &inquiry.Job{Kind: kind, Recipient: o.ID, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	if ticket != nil {
		j.TicketID = ticket.ID
	}
	if tg.chat != 0 {
		j.Chat = &inquiry.ChatMessage{ChatID: tg.chat, Text: chatText}
		if ticket != nil {
			j.Chat.Ticket = ticket.Number
		}
		return j
	}
	m := &inquiry.Mail{
		MessageID:   s.newMessageID(string(kind)),
		Date:        now,
		From:        s.cfg.Mailbox,
		To:          []inquiry.Address{o.Address()},
		Subject:     subject,
		AutoReplied: true,
		Text:        text,
	}
	if ticket != nil {
		m.Headers = map[string]string{"X-Sportel-Ticket": ticket.Number}
	}
	j.Mail = m
	return j
}
