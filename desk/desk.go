// Package desk is Sportel's pipeline: it takes a parsed message from any
// channel, keeps machine mail out of the conversation, classifies, routes and
// files the ticket, and writes the sends that follow into the outbox in the
// same transaction (the outbox package sends them). Its work is split by job:
// intake.go decides what a message is, setaside.go keeps what makes no
// ticket, replies.go joins answers and follow-ups to their tickets (quote.go
// takes an officer's own text out of their reply, mailcmd.go reads and
// applies the #commands in it, away.go keeps their out-of-office replies
// from the citizen),
// filing.go opens tickets, queue.go writes the sends (digest.go coalesces
// an officer's notifications about one ticket), telegram.go holds what
// only chats need, and actions.go is what officers do.
package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/route"
	"sportel/store"
)

// Classifier puts a message in one of the fixed categories and names its
// language.
type Classifier interface {
	Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error)
}

// Config is what the desk needs to know about the division.
type Config struct {
	// Mailbox is the public address: acknowledgements come from it and
	// officers' replies return to it.
	Mailbox  inquiry.Address
	Prefix   string
	Location *time.Location
	// DocumentDeadline is the legal answer time of a document request
	// received at received (app builds it from the configured legal clock).
	// When nil, DocumentDeadlineDays, if above 0, sets it: that many
	// calendar days on Kosovo's calendar, moved off days off.
	DocumentDeadline     func(received time.Time) time.Time
	DocumentDeadlineDays int
	// Clock is the legal clock for urgent requests and extensions; when
	// nil, DocumentDeadlineDays calendar days on Kosovo's calendar.
	Clock *calendar.Rules
	// DivisionName signs acknowledgements and notices, by language; a
	// language missing falls back to Mailbox.Name.
	DivisionName map[inquiry.Language]string
	// RefusalGrounds are the grounds a refused or partly granted document
	// request may be closed with.
	RefusalGrounds []Ground
	// ReopenDays is how long after closing a citizen's reply reopens a ticket.
	ReopenDays int
	// AckPer10Min and AckPerDay cap acknowledgements to one address.
	AckPer10Min int
	AckPerDay   int
	// NotifyQuiet coalesces an officer's notifications about one ticket:
	// messages within it of the last notification go into one digest sent
	// when it ends (0: every message notifies at once).
	NotifyQuiet time.Duration
	// NotifyAttachmentsMaxBytes caps the attachments copied into an
	// officer's notification; the rest are listed by name and size.
	NotifyAttachmentsMaxBytes int64
	// TrustedAuthservID names the receiving mail server whose
	// Authentication-Results header is believed about an officer's
	// forward (see forwardauth.go); empty: no forward is believed.
	TrustedAuthservID string
	Officers          []inquiry.Officer
	// NotifyByTelegram sends officers' notifications to their Telegram chat
	// too (when they have a telegram_user_id); OfficersChatID, when not 0,
	// also gets every routed ticket.
	NotifyByTelegram bool
	OfficersChatID   int64
	// TelegramMaxUpload is the largest file the Bot API behind the bot
	// takes from it (telegram.max_upload_bytes; default and 0:
	// TelegramMaxUpload, Telegram's own 50 MB). An officer's larger file
	// is not sent to a citizen's chat; the officer is told.
	TelegramMaxUpload int64
	// TelegramJoinWindow is how recent a chat's open ticket must be for a
	// new message to join it (default 30m).
	TelegramJoinWindow time.Duration
	// BotUsername is the bot's @name without @, for t.me links.
	BotUsername string
	Templates   *Templates
	// ClassifyWait bounds how long intake waits for the classifier, for a
	// batch or one message: when it passes, the classifier's context ends
	// and an LLM classifier answers the rest at once with its built-in
	// model. 0 sets no bound; only a classifier that answers after its
	// context ends may be given one (the built-in alone returns an error).
	ClassifyWait time.Duration
	// ClassifyConcurrency is how many messages of a batch are classified at
	// once (default 8): an LLM classifier mostly waits for its endpoint.
	ClassifyConcurrency int
	// JobsQueued, when set, is called after a commit that queued sends, so
	// the outbox claims them at once (the outbox's Poke).
	JobsQueued func()
}

// DeadlineFunc is a DocumentDeadline from the legal clock's rules. Rules
// with no days or an unknown way of counting (which the configuration
// refuses) give no deadline rather than a wrong one.
func DeadlineFunc(r calendar.Rules) func(received time.Time) time.Time {
	return func(received time.Time) time.Time {
		due, err := r.Deadline(received)
		if err != nil {
			return time.Time{}
		}
		return due.At
	}
}

// defaultClassifyConcurrency keeps a batch's wait for an LLM near one
// request's time without flooding a local model server.
const defaultClassifyConcurrency = 8

// Desk files tickets. It is safe for concurrent use.
type Desk struct {
	cfg        Config
	store      Store
	classifier Classifier
	router     *route.Router
	log        *slog.Logger
	now        func() time.Time
	domain     string
	officers   map[string]inquiry.Officer

	mu          sync.RWMutex
	botUsername string // learnt from Telegram once the bot connects

	// prep is what Prepare found ahead for messages HandleBatch has not
	// been given yet (prepare.go).
	prepMu sync.Mutex
	prep   prepared
}

// New checks cfg and returns a Desk.
func New(cfg Config, store Store, classifier Classifier, router *route.Router, log *slog.Logger) (*Desk, error) {
	if cfg.Mailbox.Address == "" {
		return nil, errors.New("desk: no public mailbox address")
	}
	at := strings.LastIndexByte(cfg.Mailbox.Address, '@')
	if at < 0 {
		return nil, fmt.Errorf("desk: mailbox address %q has no domain", cfg.Mailbox.Address)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "DKP"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Clock == nil && cfg.DocumentDeadlineDays > 0 {
		cfg.Clock = &calendar.Rules{Calendar: calendar.New(calendar.Options{}), Location: cfg.Location, Days: cfg.DocumentDeadlineDays, Count: calendar.CalendarDays}
	}
	if cfg.DocumentDeadline == nil && cfg.Clock != nil {
		cfg.DocumentDeadline = DeadlineFunc(*cfg.Clock)
	}
	if cfg.ClassifyConcurrency <= 0 {
		cfg.ClassifyConcurrency = defaultClassifyConcurrency
	}
	if cfg.Templates == nil {
		t, err := LoadTemplates("")
		if err != nil {
			return nil, err
		}
		cfg.Templates = t
	}
	if log == nil {
		log = slog.Default()
	}
	d := &Desk{
		cfg:        cfg,
		store:      store,
		classifier: classifier,
		router:     router,
		log:        log,
		now:        time.Now,
		domain:     cfg.Mailbox.Address[at+1:],
		officers:   make(map[string]inquiry.Officer),
	}
	for _, o := range cfg.Officers {
		d.officers[o.ID] = o
	}
	return d, nil
}

// SetBotUsername records the bot's @name (without @) for t.me links in
// public-group acknowledgements, once the bot has connected.
func (d *Desk) SetBotUsername(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.botUsername = name
}

func (d *Desk) botName() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.botUsername != "" {
		return d.botUsername
	}
	return d.cfg.BotUsername
}

// SetClock replaces the desk's clock; tests use it.
func (d *Desk) SetClock(now func() time.Time) { d.now = now }

// MessageIDDomain is the domain of the Message-IDs the desk writes; mail
// carrying one of them is our own coming back.
func (d *Desk) MessageIDDomain() string { return d.domain }

func (d *Desk) officerByEmail(addr string) (inquiry.Officer, bool) {
	for _, o := range d.cfg.Officers {
		if o.HasEmail(addr) {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

// OfficerByTelegram finds the officer with the given Telegram user id.
func (d *Desk) OfficerByTelegram(userID int64) (inquiry.Officer, bool) {
	if userID == 0 {
		return inquiry.Officer{}, false
	}
	for _, o := range d.cfg.Officers {
		if o.TelegramUserID == userID {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

// Officer returns the officer with id.
func (d *Desk) Officer(id string) (inquiry.Officer, bool) {
	o, ok := d.officers[id]
	return o, ok
}

func (d *Desk) note(tx store.Tx, ticketID int64, author, text string, now time.Time) error {
	return tx.AddEntry(&inquiry.Entry{TicketID: ticketID, Kind: inquiry.EntryNote, Author: author, Text: text, CreatedAt: now})
}

// MessageIDPrefix begins every Message-ID the desk writes, so our own mail
// can be told from other mail in the same domain.
const MessageIDPrefix = "sportel."

// newMessageID returns a random Message-ID in our domain. It is fixed when a
// job is written, so a retried send is the same mail.
func (d *Desk) newMessageID(kind string) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	var h [2 * len(b)]byte
	hex.Encode(h[:], b[:])
	return MessageIDPrefix + kind + "." + string(h[:]) + "@" + d.domain
}

// poke tells the outbox, if one listens, that jobs were committed.
func (d *Desk) poke() {
	if d.cfg.JobsQueued != nil {
		d.cfg.JobsQueued()
	}
}
