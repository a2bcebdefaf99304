// Package inbox watches the ministry's public IMAP mailbox. It fetches mail
// that has not been taken in yet, hands each message to the desk, and only
// after the desk has committed it marks the message \Seen and moves it out of
// the watched mailbox.
//
// Messages are tracked by UIDVALIDITY and UID (never by sequence number); the
// last handled UID is kept through Checkpoints. Anything between a committed
// Handle and the checkpoint (a crash, a dropped connection) is fetched again,
// and the desk answers inquiry.Duplicate for it, so nothing is lost or filed
// twice.
package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"sportel/inquiry"
	"sportel/internal/backoff"
	"sportel/internal/connhint"
	"sportel/internal/outage"
	"sportel/mailauth"
	"sportel/netguard"
)

// Handler takes in one message; the desk implements it. It returns only after
// the message and the sends it causes are committed.
type Handler interface {
	Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error)
}

// Quarantiner sets aside a message that keeps failing while the store still
// takes writes (a "poison" message), so it stops blocking the mail after it.
// The desk implements it; a handler without it keeps retrying.
type Quarantiner interface {
	Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error)
}

// BatchHandler is a Handler that can also take several messages at once, so
// a backlog shares commits. HandleBatch returns the dispositions of a prefix
// of ms; when that is shorter than ms, its error is the next message's.
type BatchHandler interface {
	Handler
	HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error)
}

// Preparer is a BatchHandler that can do ahead, for the chunk it will be
// given next, the part of taking it in that needs no transaction (look-ups,
// classification), while the chunk before is committed: that work then
// leaves the watcher's path. Prepare only saves work: HandleBatch decides
// as it would have without it, and an error in Prepare is not reported
// (HandleBatch meets it again). The watcher waits for Prepare to return
// before it hands those messages over.
type Preparer interface {
	BatchHandler
	Prepare(ctx context.Context, ms []*inquiry.Message)
}

// Checkpoints persists how far the watcher got in a mailbox. LoadCheckpoint
// returns zeros when nothing was saved yet.
type Checkpoints interface {
	LoadCheckpoint(ctx context.Context, key string) (uidValidity uint32, lastUID uint32, err error)
	SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) error
}

// Connection security values for Options.Security.
const (
	SecurityTLS      = "tls"      // implicit TLS (port 993)
	SecurityStartTLS = "starttls" // plaintext upgraded with STARTTLS (port 143)
	SecurityNone     = "none"     // plaintext; only allowed to a loopback address
)

// What the watcher does with mail already in the mailbox the first time it
// reads it (no checkpoint saved for it): Options.FirstStart.
const (
	// FirstStartAll takes in every message found there.
	FirstStartAll = "all"
	// FirstStartNew leaves the messages found there as they are and takes
	// in only mail that arrives afterwards: a mailbox with years of
	// history would otherwise be filed and acknowledged whole.
	FirstStartNew = "new"
)

// Options configures a Watcher. Zero durations and sizes take the defaults
// named on each field.
type Options struct {
	Addr     string // host:port
	Security string // tls | starttls | none
	Username string
	Password string
	// OAuth, when set, logs in with AUTHENTICATE and an access token
	// (XOAUTH2 or OAUTHBEARER) instead of LOGIN with Password: mailboxes
	// on Microsoft 365 and Google refuse passwords.
	OAuth *mailauth.OAuth

	Mailbox           string // watched mailbox, e.g. INBOX
	ProcessedMailbox  string // where taken-in mail goes, e.g. Sportel/Processed
	QuarantineMailbox string // where unusable mail goes, e.g. Sportel/Quarantine

	// FirstStart is FirstStartAll (the default) or FirstStartNew. It counts
	// only while no checkpoint is saved for the mailbox; a checkpoint that
	// exists, even one a changed UIDVALIDITY voids, is resumed from.
	FirstStart string

	PollInterval   time.Duration // between checks when the server has no IDLE (default 1m)
	IdleRestart    time.Duration // longest single IDLE (default 5m)
	DialTimeout    time.Duration // TCP connect + TLS handshake (default 15s)
	CommandTimeout time.Duration // longest wait for one command's answer (default 60s)
	BackoffMin     time.Duration // first reconnect delay (default 1s)
	BackoffMax     time.Duration // reconnect delay cap (default 2m)

	BatchSize int // messages fetched per round (default 200)
	// BatchBytes bounds the mail held at once (default 32 MiB), counted
	// as fetched and parsed: twice the bytes read, the raw mail and what
	// is decoded from it. A batch holds at most this much (a larger
	// message makes a batch alone), and the next batch is fetched and
	// parsed ahead only when both fit in it.
	BatchBytes int64
	// MaxRawBytes is the largest mail fetched whole (default 25 MiB). Larger
	// mail is read only in part (its header and the start of its text),
	// taken in with TooLarge set, and moved to QuarantineMailbox, where it
	// stays whole.
	MaxRawBytes int64

	// TLSConfig is used for tls and starttls. Nil means the system roots with
	// ServerName taken from Addr; tests pass their own RootCAs.
	TLSConfig *tls.Config

	// Parse turns a raw message into an inquiry.Message; it never fails.
	// cmd wires parse.Parse in.
	Parse func(raw []byte, receivedAt time.Time) *inquiry.Message

	Logger *slog.Logger
}

// Stats are the watcher's counters since it was made.
type Stats struct {
	Fetched     uint64 // messages fetched from the server
	Handled     uint64 // messages the desk took in (any disposition)
	Filed       uint64 // ... of which made a new ticket
	Duplicates  uint64 // ... of which had been taken in before
	Quarantined uint64 // ... of which were set aside as unusable
	Moved       uint64 // messages moved out of the watched mailbox
	// Errors counts failures of the mailbox: sessions that failed on the
	// connection, the login or a command. Failures of the store behind
	// intake are IntakeErrors.
	Errors     uint64
	Reconnects uint64 // sessions started after a failure
	// IntakeErrors counts failed tries to take mail in that were not the
	// mailbox's: the desk (most often its store) refused a message, or
	// the checkpoint could not be read or saved.
	IntakeErrors uint64
	SetAside     uint64 // messages quarantined after failing again and again
	// MovesRefused counts handled messages the server would not move out
	// of the watched mailbox (over quota, say): they stay there, \Seen.
	MovesRefused uint64
	TooLarge     uint64 // messages over MaxRawBytes, read only in part
	// Searches counts successful listings of new mail (UID FETCH n:*): each is a completed
	// look at the mailbox, and what one finds is handled before the next.
	Searches uint64
	// LastGoodFetch is when the mailbox was last read successfully, or
	// selected when only the store failed after (its checkpoint not read
	// or saved): the mailbox answered then.
	LastGoodFetch time.Time
	// BlockedSince is when intake began failing on every try (the store is
	// down or the disk full); zero while mail goes through.
	BlockedSince time.Time
}

// Watcher follows one mailbox. Make it with NewWatcher and call Run once.
type Watcher struct {
	opts Options
	h    Handler
	cp   Checkpoints
	log  *slog.Logger
	key  string // checkpoint key

	mu    sync.Mutex
	stats Stats

	// failures counts failed tries per message, to tell a poison message
	// from a sick store. Only the session goroutine touches it.
	failures map[failureKey]int
	// opened is set once the watched mailbox was selected; from then on a
	// refused mailbox is retried like any trouble (someone may be fixing
	// the server), before it ends Run. Only the session goroutine touches it.
	opened bool
	// troubleSince is when intake began failing for the store's (or the
	// desk's) sake, zero while it goes on; only the session goroutine
	// touches it (intakeFailed, intakeGoesOn).
	troubleSince time.Time
	// down logs the mailbox's outage: its first failure at error, with
	// the setting to look at; the retries quieter; its end.
	down *outage.Log
}

// storeError is a failure of the store behind the watcher (its checkpoint
// not read or saved), which the watcher must not report as the mailbox's:
// the administrator would look at the wrong server.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// intakeFailed logs a failure to take mail in that is not the mailbox's:
// at error when it begins trouble, at debug while the trouble lasts. A
// store that is down fails every try, each spaced by the backoff, and
// the line that matters, when it began and why, would scroll away.
func (w *Watcher) intakeFailed(msg string, attrs ...any) {
	if w.troubleSince.IsZero() {
		w.troubleSince = time.Now()
		w.log.Error(msg+" (logged again when intake goes on)", attrs...)
		return
	}
	w.log.Debug(msg, attrs...)
}

// intakeGoesOn ends trouble that intakeFailed began, with a line saying
// how long it lasted.
func (w *Watcher) intakeGoesOn() {
	if w.troubleSince.IsZero() {
		return
	}
	w.log.Info("intake goes on again: the store takes mail in", "failing_for", time.Since(w.troubleSince).Round(time.Millisecond))
	w.troubleSince = time.Time{}
}

// blocked marks intake blocked from now, unless it is already, and
// reports whether it was not.
func (w *Watcher) blocked() (began bool) {
	w.count(func(st *Stats) {
		if st.BlockedSince.IsZero() {
			st.BlockedSince, began = time.Now(), true
		}
	})
	return began
}

// failureKey names a message across sessions.
type failureKey struct {
	uidValidity uint32
	uid         uint32
}

// poisonTries is how often one message must fail before the watcher tries
// to set it aside (the tries are spaced by the backoff).
const poisonTries = 3

const (
	defaultPollInterval   = time.Minute
	defaultIdleRestart    = 5 * time.Minute
	defaultDialTimeout    = 15 * time.Second
	defaultCommandTimeout = 60 * time.Second
	defaultBackoffMin     = time.Second
	defaultBackoffMax     = 2 * time.Minute
	defaultBatchSize      = 200
	defaultBatchBytes     = 32 << 20
	defaultMaxRawBytes    = 25 << 20
)

// NewWatcher checks opts, fills in defaults and returns a watcher. Errors
// name the offending field.
func NewWatcher(opts Options, h Handler, cp Checkpoints) (*Watcher, error) {
	if h == nil {
		return nil, errors.New("inbox: handler is nil")
	}
	if cp == nil {
		return nil, errors.New("inbox: checkpoints is nil")
	}
	if opts.Parse == nil {
		return nil, errors.New("inbox: Parse: required")
	}
	opts, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	key := checkpointKey(opts)
	logger = logger.With("component", "inbox", "mailbox", opts.Mailbox, "addr", opts.Addr)
	return &Watcher{
		opts: opts,
		h:    h,
		cp:   cp,
		key:  key,
		log:  logger,
		down: outage.New(logger, 0, nil),

		failures: make(map[failureKey]int),
	}, nil
}

// checkpointKey is the key a watcher with opts keeps its checkpoint under.
func checkpointKey(opts Options) string {
	return fmt.Sprintf("imap:%s@%s/%s", opts.Username, opts.Addr, opts.Mailbox)
}

// prepare checks the connection and mailbox options and fills in defaults.
func prepare(opts Options) (Options, error) {
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil || host == "" {
		return Options{}, fmt.Errorf("inbox: Addr %q: want host:port", opts.Addr)
	}
	switch opts.Security {
	case SecurityTLS, SecurityStartTLS:
	case SecurityNone:
		// IMAP always logs in, so plaintext would put the password on the wire.
		if !netguard.IsLoopback(host) {
			return Options{}, fmt.Errorf("inbox: Security none: refusing to send credentials unencrypted to non-loopback host %q", host)
		}
	default:
		return Options{}, fmt.Errorf("inbox: Security %q: want tls, starttls or none", opts.Security)
	}
	if opts.Username == "" {
		return Options{}, errors.New("inbox: Username: required")
	}
	if opts.Mailbox == "" {
		return Options{}, errors.New("inbox: Mailbox: required")
	}
	if opts.ProcessedMailbox == "" {
		return Options{}, errors.New("inbox: ProcessedMailbox: required")
	}
	if opts.QuarantineMailbox == "" {
		return Options{}, errors.New("inbox: QuarantineMailbox: required")
	}
	if opts.ProcessedMailbox == opts.Mailbox || opts.QuarantineMailbox == opts.Mailbox {
		return Options{}, fmt.Errorf("inbox: ProcessedMailbox/QuarantineMailbox: must differ from Mailbox %q", opts.Mailbox)
	}
	switch opts.FirstStart {
	case "":
		opts.FirstStart = FirstStartAll
	case FirstStartAll, FirstStartNew:
	default:
		return Options{}, fmt.Errorf("inbox: FirstStart %q: want %s or %s", opts.FirstStart, FirstStartAll, FirstStartNew)
	}

	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"PollInterval", &opts.PollInterval, defaultPollInterval},
		{"IdleRestart", &opts.IdleRestart, defaultIdleRestart},
		{"DialTimeout", &opts.DialTimeout, defaultDialTimeout},
		{"CommandTimeout", &opts.CommandTimeout, defaultCommandTimeout},
		{"BackoffMin", &opts.BackoffMin, defaultBackoffMin},
		{"BackoffMax", &opts.BackoffMax, defaultBackoffMax},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return Options{}, fmt.Errorf("inbox: %s: must not be negative (got %s)", d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if opts.BackoffMax < opts.BackoffMin {
		return Options{}, fmt.Errorf("inbox: BackoffMax %s: less than BackoffMin %s", opts.BackoffMax, opts.BackoffMin)
	}
	if opts.BatchSize < 0 {
		return Options{}, fmt.Errorf("inbox: BatchSize: must not be negative (got %d)", opts.BatchSize)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = defaultBatchSize
	}
	sizes := []struct {
		name string
		v    *int64
		def  int64
	}{
		{"BatchBytes", &opts.BatchBytes, defaultBatchBytes},
		{"MaxRawBytes", &opts.MaxRawBytes, defaultMaxRawBytes},
	}
	for _, sz := range sizes {
		if *sz.v < 0 {
			return Options{}, fmt.Errorf("inbox: %s: must not be negative (got %d)", sz.name, *sz.v)
		}
		if *sz.v == 0 {
			*sz.v = sz.def
		}
	}

	opts.TLSConfig = netguard.ClientTLS(opts.TLSConfig, host)
	return opts, nil
}

// CheckpointKey is the key under which the watcher keeps its checkpoint.
func (w *Watcher) CheckpointKey() string { return w.key }

// Stats returns a snapshot of the counters.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

func (w *Watcher) count(f func(s *Stats)) {
	w.mu.Lock()
	f(&w.stats)
	w.mu.Unlock()
}

// Run watches the mailbox until ctx is done and then returns nil. A
// configured mailbox that the server refuses at start (a *MailboxError)
// ends Run with that error. Any other trouble (network, server, a failing
// store) is logged and retried: the connection is rebuilt with capped
// exponential backoff.
func (w *Watcher) Run(ctx context.Context) error {
	failures := 0
	for {
		healthy, err := w.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var mbErr *MailboxError
		if errors.As(err, &mbErr) && !w.opened {
			w.count(func(s *Stats) { s.Errors++ })
			return err
		}
		if healthy {
			// The last session read the mailbox; start the backoff afresh.
			failures = 0
		}
		failures++
		delay := w.backoff(failures)
		if se, ok := errors.AsType[*storeError](err); ok {
			// The mailbox answered and the store did not: no mail can be
			// taken in until it does, which is intake blocked, not the
			// mailbox unread.
			w.count(func(s *Stats) {
				s.IntakeErrors++
				s.Reconnects++
				// The mailbox was selected before the store failed: it
				// answers, and the alert on it must not blame it.
				s.LastGoodFetch = time.Now()
			})
			w.mailboxAnswers()
			w.blocked()
			w.intakeFailed("store failing: the mailbox's checkpoint cannot be read or saved, so no mail is taken in; it waits in the mailbox",
				"err", se, "attempt", failures, "retry_in", delay.Round(time.Millisecond))
			if !backoff.Sleep(ctx, delay) {
				return nil
			}
			continue
		}
		var last time.Time
		w.count(func(s *Stats) {
			s.Errors++
			s.Reconnects++
			last = s.LastGoodFetch
		})
		// A silently stuck fetcher is the most common helpdesk failure, so
		// the first failure is an error with its cause and the setting to
		// look at, and the outage is said again while it lasts; a line per
		// retry would bury it.
		attrs := []any{"err", err, "attempt", failures, "retry_in", delay.Round(time.Millisecond)}
		if h := connhint.For(err, "imap"); h != "" {
			attrs = append(attrs, "hint", h)
		}
		if last.IsZero() {
			attrs = append(attrs, "since_last_good_fetch", "never")
		} else {
			attrs = append(attrs, "since_last_good_fetch", time.Since(last).Round(time.Second).String(),
				"last_good_fetch", last)
		}
		w.down.Failed("imap mailbox cannot be read", attrs...)
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
}

// mailboxAnswers ends an outage of the mailbox, if one is on, with a line
// saying how long it lasted.
func (w *Watcher) mailboxAnswers() {
	w.down.Ended("imap mailbox answers again")
}

// backoff is the delay before attempt n (1-based).
func (w *Watcher) backoff(n int) time.Duration {
	return backoff.Backoff{Min: w.opts.BackoffMin, Max: w.opts.BackoffMax}.Delay(n)
}
