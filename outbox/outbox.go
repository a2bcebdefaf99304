// Package outbox sends what the desk queued: it claims due jobs from the
// store under a short lease, hands each to the mail or chat transport, and
// records the outcome as soon as it is known: done (with the sent message's
// thread reference, in the same transaction), retried with backoff, or
// failed for good. A job cut off by a crash is sent again as the same
// message, never as a different one. A fault of the mail relay itself
// pauses every mail send, Telegram going on, until a probe finds the
// relay answering; a fault of Telegram's Bot API pauses every Telegram
// send so, mail going on (relaypause.go).
//
// Leases: the outbox claims only what its workers are about to send, renews
// the leases of everything it holds while it holds it, and checks its lease
// just before each send. A job is therefore sent twice only when the process
// dies between the server's acceptance and the commit that records it. A
// job cancelled while the outbox holds it (a reminder for a ticket closed
// meanwhile) is recorded as sent if it went out, and never tried again if
// its send failed; one not started yet is not sent once a renewal finds it
// cancelled, and a reminder, the kind that can be cancelled, is renewed
// just before its send to find that out.
//
// A send under way is cut off (its context cancelled, which closes the
// connection) when its lease has gone unconfirmed for two thirds of a lease
// on the monotonic clock: the renewals failing (the store unreachable),
// another instance may claim the job once the lease has run out by the
// database's clock. Not once the send is past its point of no return (the
// mailer writing the end of the mail, the bot's sendMessage request
// written): the relay or Telegram may take the message in whatever the cut
// does, so the send is let finish, with a warning. See guardLease.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sportel/inquiry"
	"sportel/internal/backoff"
	"sportel/internal/outage"
	"sportel/internal/textsafe"
	"sportel/store"
)

// MailSender sends one email. Errors that implement Permanent() bool and
// return true end the job; any other error is retried.
type MailSender interface {
	SendMail(ctx context.Context, m *inquiry.Mail) error
}

// ChatSender sends one Telegram message and returns a reference to it
// ("tg:<chat>:<message>") so a reply to it can be traced to its ticket.
type ChatSender interface {
	SendChat(ctx context.Context, m *inquiry.ChatMessage) (ref string, err error)
}

// AttachmentSource reads attachments kept once in the store, which a mail
// names (inquiry.Mail.AttachFrom) instead of carrying. For the same ref it
// must return the same bytes, so a resent mail is the same mail. Errors
// that implement Permanent() bool and return true end the job.
type AttachmentSource interface {
	Attachments(ctx context.Context, ref inquiry.AttachmentRef) ([]inquiry.Attachment, error)
}

// JobStore is the outbox's view of the store: the job queue.
type JobStore interface {
	ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error)
	ClaimJobsBy(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, transport store.Transport) ([]inquiry.Job, error)
	RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) (lost []int64, err error)
	FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) (lost []int64, err error)
	RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) error
	ReleaseJob(ctx context.Context, id int64, owner string) error
	FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) error
	NextJobAt(ctx context.Context) (at time.Time, ok bool, err error)
	SentJobs(ctx context.Context, kind inquiry.JobKind, since time.Time) (n int, earliest time.Time, err error)
	CountHeldJobs(ctx context.Context) (int, error)
	HoldJobs(ctx context.Context, owner string, kind inquiry.JobKind, ids []int64, until time.Time, reason string) (int, error)
	GetState(ctx context.Context, key string) (value string, ok bool, err error)
	SetState(ctx context.Context, key, value string) error
}

// AckCapNotice tells the officers that the hourly cap on acknowledgements
// is holding held of them back, the next until then. episode names the
// hold episode: a notice for an episode already noticed (asked again after
// a crash that came before the outbox recorded it) must queue nothing.
type AckCapNotice func(ctx context.Context, episode string, held int, until time.Time) error

// Config tunes the worker.
type Config struct {
	Workers     int           // concurrent sends (default 4)
	MaxAttempts int           // tries before a job fails for good (default 8)
	BackoffMin  time.Duration // first retry delay (default 10s)
	BackoffMax  time.Duration // longest retry delay (default 30m)
	// Lease is how long a claim holds without renewal (default 30s); the
	// outbox renews it every third of that while it holds the job, so a
	// dead instance's jobs are free again within one lease.
	Lease time.Duration
	// Poll is how often to look for jobs written by other instances.
	Poll time.Duration // default 2s
	// SendTimeout bounds one send (default 5m); the transports have their
	// own, shorter, timeouts.
	SendTimeout time.Duration
	// RelayPauseMin and RelayPauseMax bound the pause of every mail send
	// after the relay itself failed (default 30s, doubling to 5m; see
	// relaypause.go).
	RelayPauseMin, RelayPauseMax time.Duration
	// ChatPauseMin and ChatPauseMax bound the pause of every Telegram send
	// after the Bot API itself failed (default 10s, doubling to 5m).
	ChatPauseMin, ChatPauseMax time.Duration
	// Attachments resolves the attachments mail refers to; nil fails such
	// mail for good.
	Attachments AttachmentSource
	// AcksPerHour caps the acknowledgements sent in any hour, on every
	// channel and by every instance together (0: no cap). Acknowledgements
	// over it are held: they stay pending and go out as the hour rolls on.
	AcksPerHour int
	// AckCapNotice, when set, is called once per hold episode: when the cap
	// first holds acknowledgements back after an hour without holding any.
	AckCapNotice AckCapNotice
	// ChatFileRefused, when set, is called when Telegram refuses a file of
	// a chat answer for good after its text went.
	ChatFileRefused ChatFileRefused
	// Undelivered, when set, is called when an officer's answer or legal
	// notice to a citizen (inquiry.JobAnswer, inquiry.JobNotice) fails for
	// good (reason; tooLarge when the relay refused it for its size), just
	// before the failure is recorded: the officer believes it went and must
	// hear that it did not. While it returns an error the job is tried
	// again rather than failed without a word. It may be called again for
	// the same job (after a crash): it must queue one notice a job.
	Undelivered func(ctx context.Context, j inquiry.Job, reason string, tooLarge bool) error
}

// MinLease is the shortest lease that renewals every third of it can keep
// alive on a busy store.
const MinLease = 3 * time.Second

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 10 * time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 30 * time.Minute
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	c.Lease = max(c.Lease, MinLease)
	if c.Poll <= 0 {
		c.Poll = 2 * time.Second
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 5 * time.Minute
	}
	if c.RelayPauseMin <= 0 {
		c.RelayPauseMin = defaultRelayPauseMin
	}
	if c.RelayPauseMax <= 0 {
		c.RelayPauseMax = defaultRelayPauseMax
	}
	c.RelayPauseMax = max(c.RelayPauseMax, c.RelayPauseMin)
	if c.ChatPauseMin <= 0 {
		c.ChatPauseMin = defaultChatPauseMin
	}
	if c.ChatPauseMax <= 0 {
		c.ChatPauseMax = defaultChatPauseMax
	}
	c.ChatPauseMax = max(c.ChatPauseMax, c.ChatPauseMin)
}

// Outbox sends the jobs the desk wrote.
type Outbox struct {
	jobs  JobStore
	mail  MailSender
	chat  ChatSender
	cfg   Config
	owner string
	log   *slog.Logger
	now   func() time.Time
	// mono is the monotonic time since the outbox was made: how long a
	// lease has gone unconfirmed is measured by it, never by now, which a
	// stepped wall clock (or a new skew measurement) moves.
	mono func() time.Duration
	// renewTicks, when set, replaces renewLoop's ticker (tests).
	renewTicks <-chan time.Time
	wake       chan struct{}
	held       heldJobs
	acks       ackCap
	relay      relayGate
	// chatGate is relay's for Telegram's Bot API.
	chatGate relayGate
	// store logs an outage of the store once, not at every poll.
	store storeHealth
	// records holds new sends back while completions are not being
	// recorded (recordgate.go).
	records recordGate
	// heldLeft runs noticeHeldLeft once, when the outbox first claims.
	heldLeft sync.Once
	// sendTime is the running average duration of a send, in nanoseconds.
	sendTime atomic.Int64
	// Sent, when set, is called after each successful send (the demo prints
	// acknowledgements with it; tests count).
	Sent func(inquiry.Job)
	// Failed, when set, is called after each failed attempt; final says the
	// job was given up (failed for good, or cancelled while it was sent).
	Failed func(j inquiry.Job, err error, final bool)
}

// New returns a worker for the jobs in jobs. chat may be nil when Telegram
// is off; a Telegram job then fails with a clear reason.
func New(jobs JobStore, mail MailSender, chat ChatSender, cfg Config, log *slog.Logger) *Outbox {
	cfg.defaults()
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	start := time.Now()
	var b [4]byte
	_, _ = rand.Read(b[:])
	o := &Outbox{
		jobs:  jobs,
		mail:  mail,
		chat:  chat,
		cfg:   cfg,
		owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		log:   log,
		now:   time.Now,
		mono:  func() time.Duration { return time.Since(start) },
		wake:  make(chan struct{}, 1),
		held:  heldJobs{jobs: make(map[int64]*heldLease), sent: make(map[int64]time.Duration)},
	}
	o.store = storeHealth{log: log, mono: func() time.Duration { return o.mono() }}
	o.records.log, o.records.mono = log, func() time.Duration { return o.mono() }
	o.records.failedSince = o.store.failedSince
	// The clocks are read at each use: the tests replace the outbox's.
	mono, wall := func() time.Duration { return o.mono() }, func() time.Time { return o.now() }
	o.relay = relayGate{pause: backoff.Backoff{Min: cfg.RelayPauseMin, Max: cfg.RelayPauseMax}, mono: mono, wall: wall, say: mailSay{log}}
	o.chatGate = relayGate{pause: backoff.Backoff{Min: cfg.ChatPauseMin, Max: cfg.ChatPauseMax}, mono: mono, wall: wall,
		say: chatSay{outage.New(log, 0, wall)}}
	return o
}

// gateOf is the gate job j's sends go through: the mail relay's or
// Telegram's; nil for a job with nothing to send.
func (o *Outbox) gateOf(j inquiry.Job) *relayGate {
	switch {
	case j.Mail != nil:
		return &o.relay
	case j.Chat != nil:
		return &o.chatGate
	}
	return nil
}

// dropProbe gives up job id's probe of whichever gate it probes, if any
// (relayGate.drop): a job not sent here must not leave its channel paused
// until a restart.
func (o *Outbox) dropProbe(id int64) {
	o.relay.drop(id)
	o.chatGate.drop(id)
}

// MailPaused reports whether mail sends are paused because the relay
// itself failed: until a probe finds it answering, no mail is sent.
func (o *Outbox) MailPaused() bool {
	_, paused := o.relay.paused()
	return paused
}

// ChatPaused reports whether Telegram sends are paused because the Bot
// API itself failed (unreachable, timing out, 5xx, 429, the token
// refused): until a probe finds it answering, no Telegram message is
// sent. It is this outbox's pause only, as MailPausedSince's is.
func (o *Outbox) ChatPaused() bool {
	_, paused := o.chatGate.paused()
	return paused
}

// MailPausedSince is MailPaused with when the pause began: when the relay
// first failed, by the outbox's clock (SetClock; on PostgreSQL the
// database's, within a second or two of this host's). It is this outbox's
// pause only: each instance has its own outbox and its own relay gate.
func (o *Outbox) MailPausedSince() (since time.Time, paused bool) { return o.relay.paused() }

// ChatPausedSince is ChatPaused with when the pause began, as
// MailPausedSince is for mail.
func (o *Outbox) ChatPausedSince() (since time.Time, paused bool) { return o.chatGate.paused() }

// SendsHeldFor is how long this outbox has started no send because the
// store fails its bookkeeping, or takes in no more of its completions
// (locked by another process): 0 when sends go.
func (o *Outbox) SendsHeldFor() time.Duration {
	return max(o.store.failingFor(), o.records.heldFor())
}

// Owner is the name this outbox claims jobs under.
func (o *Outbox) Owner() string { return o.owner }

// SetClock replaces the outbox's clock; tests use it.
func (o *Outbox) SetClock(now func() time.Time) { o.now = now }

// Poke tells the outbox that jobs were just committed, so it claims them
// now rather than at its next poll. It never blocks.
func (o *Outbox) Poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Permanent reports whether err says a send can never succeed.
func Permanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// RelayFault reports whether err says the relay, not the message, failed
// (mailer.SendError.RelayFault; for Telegram, the bot's sendError: the
// Bot API or the way to it).
func RelayFault(err error) bool {
	var r interface{ RelayFault() bool }
	return errors.As(err, &r) && r.RelayFault()
}

// relayAnswered reports whether err, a failed send's, says the relay
// answered: it began a mail transaction, or the Bot API refused the chat,
// so it is up, whatever it thought of the message. Errors that do not
// speak of the relay say nothing.
func relayAnswered(err error) bool {
	var r interface{ RelayFault() bool }
	return errors.As(err, &r) && !r.RelayFault()
}

// retryAfter is the delay a transport asked for (Telegram's 429), if any.
func retryAfter(err error) (time.Duration, bool) {
	var r interface{ RetryAfter() time.Duration }
	if errors.As(err, &r) {
		return r.RetryAfter(), true
	}
	return 0, false
}

// heldJobs are the jobs this outbox has claimed and not yet settled, each
// with the time its lease is known to run until. Leases are exclusive, so
// while that time is ahead no other worker can have the job; the renewals
// push it forward, and a job whose renewal was refused is not sent.
type heldJobs struct {
	mu   sync.Mutex
	jobs map[int64]*heldLease
	// sent are jobs recorded as sent, each with when (on the monotonic
	// clock) they stopped being held: a claim begun before then may still
	// return one, read before its completion was written, its lease
	// looking run out after a wall-clock step, and must not send it again.
	sent map[int64]time.Duration
}

// heldLease is what the outbox knows of its lease on one job.
type heldLease struct {
	// until is the lease's end as written, by the outbox's clock; zero
	// when the store said the lease is no longer ours.
	until time.Time
	// confirmed is when, on the monotonic clock, the claim or renewal
	// that wrote until was made: the store has the lease running until
	// at least a lease after it, whatever the wall clock did since.
	confirmed time.Duration
	// cut cuts off the job's send while one runs (guardLease), and log
	// has the send's fields.
	cut context.CancelCauseFunc
	log func() *slog.Logger
	// noReturn: the send is past its point of no return (the mailer is
	// writing the mail's end, or the bot's request is written), so it is
	// not cut off any more.
	noReturn bool
	// recording: the transport took the job and its completion is on its
	// way to the store, which says itself whether the lease still held.
	recording bool
}

func (h *heldJobs) add(jobs []inquiry.Job, until time.Time, at time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, j := range jobs {
		h.jobs[j.ID] = &heldLease{until: until, confirmed: at}
	}
}

// addNew holds the claimed jobs and returns those not held already. A
// claim can return a job this outbox is sending: the store reads leases on
// the wall clock, and a clock stepped forward (NTP, a resumed VM) makes a
// lease in hand look expired. Such a job is sent once, by the worker that
// has it; its lease is the claim's now, confirmed at.
func (h *heldJobs) addNew(jobs []inquiry.Job, until time.Time, at time.Duration) []inquiry.Job {
	h.mu.Lock()
	defer h.mu.Unlock()
	fresh := jobs[:0:0]
	for _, j := range jobs {
		if gone, ok := h.sent[j.ID]; ok && gone >= at {
			continue
		}
		l, held := h.jobs[j.ID]
		if !held {
			fresh = append(fresh, j)
			l = &heldLease{}
			h.jobs[j.ID] = l
		}
		l.until, l.confirmed = until, at
	}
	// Claims are made one at a time: one begun at at or later read every
	// completion recorded before at.
	for id, gone := range h.sent {
		if gone < at {
			delete(h.sent, id)
		}
	}
	return fresh
}

func (h *heldJobs) remove(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.jobs, id)
}

// removeSent stops holding a job recorded as sent, at on the monotonic
// clock (addNew).
func (h *heldJobs) removeSent(id int64, at time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.jobs, id)
	h.sent[id] = at
}

// holdOf returns job id's hold, nil when it is not held.
func (h *heldJobs) holdOf(id int64) *heldLease {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.jobs[id]
}

// removeHold removes job id's hold if it is still l: a job its send gave
// back (cut off) may have been claimed again since, under a hold of its
// own, which a worker may be sending under.
func (h *heldJobs) removeHold(id int64, l *heldLease) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.jobs[id] == l {
		delete(h.jobs, id)
	}
}

// ours lists the held jobs whose lease is still ours.
func (h *heldJobs) ours() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]int64, 0, len(h.jobs))
	for id, l := range h.jobs {
		if !l.until.IsZero() {
			out = append(out, id)
		}
	}
	return out
}

// renewed records a renewal of ids to until, asked at, except those lost,
// and returns the lost ones worth a word: held, and not sent. A job sent
// meanwhile is no longer pending when the renewal reads it, so the store
// reports it lost; its completion says whether it really was (finish).
func (h *heldJobs) renewed(ids, lost []int64, until time.Time, at time.Duration) (unsent []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if l, ok := h.jobs[id]; ok {
			l.until, l.confirmed = until, at
		}
	}
	for _, id := range lost {
		if l, ok := h.jobs[id]; ok {
			l.until = time.Time{}
			if !l.recording {
				unsent = append(unsent, id)
			}
		}
	}
	return unsent
}

// recording says the transport took job id: its completion goes to the
// store next.
func (h *heldJobs) recording(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.jobs[id]; ok {
		l.recording = true
	}
}

// lease returns job id's lease end and when it was confirmed; until is
// zero when the lease is not ours.
func (h *heldJobs) lease(id int64) (until time.Time, confirmed time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.jobs[id]; ok {
		return l.until, l.confirmed
	}
	return time.Time{}, 0
}

// watch sets cut as the way to cut off job id's send, and log as the
// send's logger; unwatch unsets them.
func (h *heldJobs) watch(id int64, cut context.CancelCauseFunc, log func() *slog.Logger) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.jobs[id]; ok {
		l.cut, l.log, l.noReturn = cut, log, false
	}
}

func (h *heldJobs) unwatch(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.jobs[id]; ok {
		l.cut, l.log, l.noReturn = nil, nil, false
	}
}

// pastNoReturn records that job id's send is at its point of no return
// (about to write the end of its mail, or its Telegram request written),
// and reports whether it may go on: not once ctx, the send's, has ended.
// The guard cuts ctx under the same lock, so either the send is cut off
// before that point, or it is never cut off after.
func (h *heldJobs) pastNoReturn(ctx context.Context, id int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	if l, ok := h.jobs[id]; ok {
		l.noReturn = true
	}
	return true
}

// cutIfUnconfirmed cuts off job id's send when its lease has gone
// unconfirmed for after by now (both on the monotonic clock). Otherwise it
// returns how long until that, with watching true while the send is still
// to be watched: not once it is cut off or over, nor when the store has
// refused its renewal (the store answers, so this is no outage; a job
// cancelled while it is sent goes on, as a cancel wants). A send past its
// point of no return is not cut off; late then says how long its lease
// went unconfirmed, and log is the send's, to say so.
func (h *heldJobs) cutIfUnconfirmed(id int64, now, after, lease time.Duration) (wait time.Duration, watching bool, late *leaseUnconfirmed, log func() *slog.Logger) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.jobs[id]
	if !ok || l.cut == nil || l.until.IsZero() {
		return 0, false, nil, nil
	}
	since := now - l.confirmed
	if since < after {
		return after - since, true, nil, nil
	}
	why := &leaseUnconfirmed{since: since, lease: lease}
	if l.noReturn {
		// Said once: the send is not watched any more.
		l.cut = nil
		return 0, false, why, l.log
	}
	l.cut(why)
	l.cut = nil
	return 0, false, nil, nil
}

// sending lists the jobs whose send is being watched.
func (h *heldJobs) sending() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int64
	for id, l := range h.jobs {
		if l.cut != nil {
			out = append(out, id)
		}
	}
	return out
}

// Run sends jobs until ctx is done. Jobs handed to a worker when ctx ends
// are still sent (each within SendTimeout); claimed jobs not yet handed on
// are released, so a restart sends them at once.
func (o *Outbox) Run(ctx context.Context) error {
	// slots bound what is claimed to what the workers will send shortly: a
	// claim is a write, so claiming several at once keeps a backlog moving,
	// and every held job's lease is renewed, so a queued one never goes
	// stale and is never claimed twice.
	slots := make(chan struct{}, claimPerWorker*o.cfg.Workers)
	jobs := make(chan inquiry.Job, cap(slots))
	sent := make(chan sentJob, cap(slots))
	freed := make(chan struct{}, 1)
	release := func() {
		<-slots
		select {
		case freed <- struct{}{}:
		default:
		}
	}
	var workers, helpers sync.WaitGroup
	helpers.Go(func() { o.finishLoop(sent) })
	renewCtx, stopRenewing := context.WithCancel(context.Background())
	helpers.Go(func() { o.renewLoop(renewCtx) })
	for range o.cfg.Workers {
		workers.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					// Stopping: a job not started yet is released, so a
					// restart sends it at once; sends under way finish.
					o.dropProbe(j.ID)
					o.release(j)
					o.held.remove(j.ID)
					release()
					continue
				}
				hold := o.held.holdOf(j.ID)
				if !o.waitForStore(ctx, j.ID) {
					// Not sent here: if it was the relay's probe, the next
					// mail probes, or a claim by another instance would
					// leave this one's mail paused until a restart.
					o.dropProbe(j.ID)
					release()
					o.held.removeHold(j.ID, hold)
					continue
				}
				start := time.Now()
				s, ok, storeErr := o.send(j, true)
				o.timeSend(time.Since(start))
				if storeErr != nil {
					if o.awaitStore(ctx, j.ID) {
						// Tried once more when the store answers; failing
						// again then, it is no outage but this job's
						// trouble, and costs an attempt like any failed send.
						s, ok, _ = o.send(j, false)
					} else {
						// Stopping: given back with its attempt, as a job
						// not started is (if the store takes the release).
						o.held.remove(j.ID)
						o.release(j)
					}
				}
				release()
				if ok {
					o.records.accepted()
					o.held.recording(j.ID)
					sent <- s // held until its completion is recorded
				} else {
					o.held.removeHold(j.ID, hold)
				}
			}
		})
	}
	defer func() {
		close(jobs)
		workers.Wait()
		close(sent)
		// Renewals go on until every send in hand is recorded.
		stopRenewing()
		helpers.Wait()
	}()
	o.heldLeft.Do(func() { o.noticeHeldLeft(ctx) })
	for {
		n, ok := o.takeSlots(ctx, slots, jobs, freed)
		if !ok {
			return nil
		}
		at, now := o.mono(), o.now()
		claimed, err := o.claim(ctx, now, n)
		switch {
		case err == nil:
			o.store.answered(at)
		case ctx.Err() == nil:
			o.store.failed("claim jobs", err)
		}
		fresh := o.held.addNew(claimed, now.Add(o.cfg.Lease), at)
		if len(fresh) < len(claimed) {
			for _, j := range claimed {
				if o.held.holdOf(j.ID) == nil {
					// Sent already (addNew): no worker will have it, nor
					// the probe it may have been reserved as.
					o.dropProbe(j.ID)
				}
			}
		}
		claimed = fresh
		for range n - len(claimed) {
			<-slots
		}
		for _, j := range claimed {
			select {
			case jobs <- j:
			case <-ctx.Done():
				// Claimed but not started: release so a restart sends at once.
				o.dropProbe(j.ID)
				o.release(j)
				o.held.remove(j.ID)
				release()
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if len(claimed) == n {
			// A backlog: claim more as soon as a worker is free.
			continue
		}
		if len(claimed) > 0 {
			// Mail is arriving: let a few more jobs gather before the next
			// claim, which is a write transaction, rather than claim them
			// one at a time.
			if !backoff.Sleep(ctx, claimGather) {
				return nil
			}
			continue
		}
		wait := o.cfg.Poll
		if d, paused := o.probeIn(); paused {
			// The jobs waiting for a relay are due, so NextJobAt would
			// name them: the claims wait for the probe instead, and a job
			// of the other channel due meanwhile for the poll (new ones
			// poke).
			wait = min(wait, max(d, 10*time.Millisecond))
		} else if at, ok, err := o.jobs.NextJobAt(ctx); err == nil && ok {
			if d := at.Sub(o.now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-o.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// probeIn reports whether the claims leave a channel out (relayGate), and
// how long until the first probe of such a channel is due.
func (o *Outbox) probeIn() (d time.Duration, paused bool) {
	md, mp := o.relay.probeIn()
	cd, cp := o.chatGate.probeIn()
	switch {
	case mp && cp:
		return min(md, cd), true
	case mp:
		return md, true
	}
	return cd, cp
}

// claim claims up to n due jobs as owner at now: any while both relays
// are up; while a channel is paused (relayGate), the other's jobs alone,
// and when a probe is due, one job of the paused channel besides,
// reserved as the probe. Jobs claimed are returned with an error that
// came after them.
func (o *Outbox) claim(ctx context.Context, now time.Time, n int) ([]inquiry.Job, error) {
	mail, chat := o.relay.claimable(), o.chatGate.claimable()
	if mail == claimAll && chat == claimAll {
		return o.jobs.ClaimJobs(ctx, o.owner, now, o.cfg.Lease, n)
	}
	var out []inquiry.Job
	for _, c := range []struct {
		what gateClaim
		gate *relayGate
		by   store.Transport
	}{{mail, &o.relay, store.TransportMail}, {chat, &o.chatGate, store.TransportChat}} {
		if c.what != claimProbe || len(out) == n {
			continue
		}
		probe, err := o.jobs.ClaimJobsBy(ctx, o.owner, now, o.cfg.Lease, 1, c.by)
		if err != nil {
			return out, err
		}
		if len(probe) == 1 {
			// Not reserved (a worker took a job as the probe meanwhile):
			// its worker gives it back.
			c.gate.reserve(probe[0].ID)
		}
		out = append(out, probe...)
	}
	var flowing store.Transport
	switch {
	case len(out) == n:
		return out, nil
	case mail == claimAll:
		flowing = store.TransportMail
	case chat == claimAll:
		flowing = store.TransportChat
	default:
		return out, nil
	}
	more, err := o.jobs.ClaimJobsBy(ctx, o.owner, now, o.cfg.Lease, n-len(out), flowing)
	return append(out, more...), err
}

// takeSlots waits until a claim is worth its write: when half of what the
// outbox may hold is free, or the workers have run out of queued jobs. It
// takes the free slots and returns how many; ok is false when ctx ended.
func (o *Outbox) takeSlots(ctx context.Context, slots chan struct{}, queued chan inquiry.Job, freed <-chan struct{}) (n int, ok bool) {
	for {
		limit := o.queueLimit()
		for len(slots) < limit {
			select {
			case slots <- struct{}{}:
				n++
				continue
			default:
			}
			break
		}
		if n > 0 && (n >= limit/2 || len(queued) == 0) {
			return n, true
		}
		select {
		case <-freed:
		case <-ctx.Done():
			for range n {
				<-slots
			}
			return 0, false
		}
	}
}

// claimGather is how long the outbox lets jobs gather while mail arrives.
const claimGather = 5 * time.Millisecond

// claimPerWorker bounds the jobs claimed per worker at once, and
// claimHorizon how far ahead the outbox claims: about what its workers
// send in that time, judged by how long sends have been taking. A fast
// relay gets claims large enough to keep a backlog moving; a slow one gets
// only what is about to be sent.
const (
	claimPerWorker = 32
	claimHorizon   = time.Second
)

// queueLimit is how many jobs the outbox holds at once (queued and being
// sent): what the workers are expected to send within claimHorizon.
func (o *Outbox) queueLimit() int {
	lo, hi := o.cfg.Workers, o.cfg.Workers*claimPerWorker
	avg := time.Duration(o.sendTime.Load())
	if avg <= 0 {
		return 2 * lo // no sends timed yet: start small
	}
	return min(max(o.cfg.Workers*int(claimHorizon/avg), lo), hi)
}

// timeSend folds one send's duration into the running average.
func (o *Outbox) timeSend(d time.Duration) {
	old := o.sendTime.Load()
	if old == 0 {
		o.sendTime.Store(int64(d))
		return
	}
	o.sendTime.Store(old - old/8 + int64(d)/8)
}

// renewLoop renews the leases of every held job each third of a lease,
// until ctx ends.
func (o *Outbox) renewLoop(ctx context.Context) {
	ticks := o.renewTicks
	if ticks == nil {
		t := time.NewTicker(o.cfg.Lease / 3)
		defer t.Stop()
		ticks = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		ids := o.held.ours()
		if len(ids) == 0 {
			continue
		}
		o.renew(ids)
	}
}

// renew extends the leases on ids by one lease term. It reports whether
// every one of them is still ours.
func (o *Outbox) renew(ids []int64) bool {
	ctx, cancel := context.WithTimeout(context.Background(), o.cfg.Lease/3)
	defer cancel()
	// The lease runs until a lease after this moment at least, however
	// long the store takes to answer.
	at, until := o.mono(), o.now().Add(o.cfg.Lease)
	lost, err := o.jobs.RenewLeases(ctx, o.owner, ids, until)
	if err != nil {
		// The leases may run out; a job is only sent while its known lease
		// is ahead, and a send whose lease goes unconfirmed too long is
		// cut off (guardLease), so one that another worker took is not
		// sent twice.
		o.store.failed("renew job leases", err, "jobs", len(ids))
		return false
	}
	o.store.answered(at)
	if unsent := o.held.renewed(ids, lost, until, at); len(unsent) > 0 {
		o.log.Warn("job leases lost to another worker, or the jobs were cancelled; they will not be sent here", "jobs", unsent)
	}
	return len(lost) == 0
}

// finishLoop records sent jobs as done, as many per transaction as have
// arrived together: each completion is committed as soon as it can be.
func (o *Outbox) finishLoop(sent <-chan sentJob) {
	for s := range sent {
		batch := []sentJob{s}
	more:
		for len(batch) < 256 {
			select {
			case s, ok := <-sent:
				if !ok {
					break more
				}
				batch = append(batch, s)
			default:
				break more
			}
		}
		o.records.commit()
		o.finish(batch)
		at := o.mono()
		for _, s := range batch {
			o.held.removeSent(s.job.ID, at)
		}
		o.records.recorded(len(batch))
	}
}

// Drain sends every job that is due now and returns; the demo and tests
// use it to run the outbox to completion.
func (o *Outbox) Drain(ctx context.Context) error {
	o.heldLeft.Do(func() { o.noticeHeldLeft(ctx) })
	// Leases are renewed here as in Run: a send that outlives two thirds
	// of its lease unrenewed would be cut off.
	renewCtx, stopRenewing := context.WithCancel(context.Background())
	var renewing sync.WaitGroup
	renewing.Go(func() { o.renewLoop(renewCtx) })
	defer func() {
		stopRenewing()
		renewing.Wait()
	}()
	for {
		at, now := o.mono(), o.now()
		claimed, err := o.claim(ctx, now, 64)
		if err != nil {
			for _, j := range claimed {
				o.dropProbe(j.ID)
				o.release(j)
			}
			return fmt.Errorf("claim jobs: %w", err)
		}
		if len(claimed) == 0 {
			return nil
		}
		o.held.add(claimed, now.Add(o.cfg.Lease), at)
		var batch []sentJob
		var storeErr error
		for _, j := range claimed {
			if storeErr != nil {
				// The store fails: the rest is given back untried.
				o.dropProbe(j.ID)
				o.release(j)
				continue
			}
			s, ok, err := o.send(j, true)
			switch {
			case ok:
				o.held.recording(j.ID)
				batch = append(batch, s)
			case err != nil:
				// What the send needs cannot be read: the job is given
				// back with its attempt, and Drain says why it stops.
				o.release(j)
				storeErr = fmt.Errorf("send job %d: %w", j.ID, err)
			}
		}
		o.finish(batch)
		for _, j := range claimed {
			o.held.remove(j.ID)
		}
		if storeErr != nil {
			return storeErr
		}
	}
}

// release gives back the claim on a job this outbox did not try to send,
// with the attempt the claim counted: a job is never given up for stops.
func (o *Outbox) release(j inquiry.Job) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := o.jobs.ReleaseJob(ctx, j.ID, o.owner)
	switch {
	case errors.Is(err, store.ErrJobCancelled):
		o.log.Info("job cancelled before it was sent", "job", j.ID, "kind", j.Kind, "ticket_id", j.TicketID)
	case err != nil:
		o.log.Warn("release job", "job", j.ID, "err", err)
	}
}

// sentJob is a job the transport accepted, waiting to be marked done.
type sentJob struct {
	job inquiry.Job
	ref string
}

// finish records sent jobs as done in one transaction, with the thread
// references of what they sent. A crash before it commits sends those
// messages again, with the same Message-IDs.
func (o *Outbox) finish(batch []sentJob) {
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.cfg.SendTimeout)
	defer cancel()
	done := make([]store.SentJob, len(batch))
	for i, s := range batch {
		done[i] = store.SentJob{ID: s.job.ID, Ref: s.ref, ThreadRef: threadRef(s.job, s.ref)}
	}
	now := o.now()
	acks := 0
	for _, s := range batch {
		if o.capped(s.job) {
			acks++
		}
	}
	// A commit that fails (the database busy or away for a moment) is
	// tried again: these mails were sent, and given up the jobs would be
	// claimed and sent once more when their leases ran out. Meanwhile they
	// stay held, their leases renewed.
	var lost []int64
	var err error
	for try := 1; ; try++ {
		if acks > 0 {
			// admitAck counts the store's sends and those in flight under
			// this lock: between the commit and done it would count these
			// twice, and hold an acknowledgement the cap has room for.
			o.acks.mu.Lock()
		}
		began := o.mono()
		lost, err = o.jobs.FinishJobs(ctx, o.owner, done, now)
		// Recorded, the store counts the acks now; given up, they will be
		// sent again, and counted then.
		if acks > 0 && (err == nil || ctx.Err() != nil) {
			o.acks.inFlight -= acks
		}
		if acks > 0 {
			o.acks.mu.Unlock()
		}
		if err == nil {
			o.store.answered(began)
			break
		}
		if ctx.Err() != nil {
			break
		}
		d := finishRetry.Delay(try)
		o.store.failed("mark sent jobs done; trying again", err, "jobs", len(batch), "retry_in", d)
		if !backoff.Sleep(ctx, d) {
			if acks > 0 {
				o.acks.mu.Lock()
				o.acks.inFlight -= acks
				o.acks.mu.Unlock()
			}
			break
		}
	}
	if err != nil {
		o.log.Error("mark jobs done", "jobs", len(batch), "err", err)
		return
	}
	for _, id := range lost {
		o.log.Warn("job sent, but its lease had passed to another worker", "job", id)
	}
	for _, s := range batch {
		if slices.Contains(lost, s.job.ID) {
			continue
		}
		o.log.Info("sent", "job", s.job.ID, "kind", s.job.Kind, "ticket_id", s.job.TicketID, "recipient", s.job.Recipient)
		if o.Sent != nil {
			j := s.job
			j.State, j.SentRef, j.FinishedAt = inquiry.JobDone, s.ref, now
			o.Sent(j)
		}
	}
}

// finishRetry paces the tries of a completion commit that failed.
var finishRetry = backoff.Backoff{Min: 100 * time.Millisecond, Max: 5 * time.Second}

// threadRef ties a sent Telegram message to its ticket, so a reply to it
// finds the ticket (and, for a notification, the officer it was for). Mail
// needs none: its Message-ID is on the job already.
func threadRef(j inquiry.Job, ref string) *inquiry.ThreadRef {
	if ref == "" || j.TicketID == 0 {
		return nil
	}
	tr := &inquiry.ThreadRef{Ref: ref, TicketID: j.TicketID, Kind: j.Kind}
	if j.Kind == inquiry.JobNotify {
		tr.OfficerID = j.Recipient
	}
	return tr
}

// recordTimeout bounds writing down how a send ended.
const recordTimeout = 30 * time.Second

// send runs one job. It deliberately does not use the Run context: a send
// in progress at shutdown is allowed to finish within SendTimeout. A failure
// is recorded here; a success is returned to be finished in a batch. A job
// whose lease is no longer ours is left to its new owner, unsent.
//
// With storeWait, a job that fails before anything went because what it
// needs could not be read from the store (its stored files, how far a chat
// answer got) is neither retried nor failed: storeErr says why, the job
// stays held and the caller waits for the store (or gives the job back).
// A store outage is no fault of the mail's and must not spend its
// attempts (after MaxAttempts a job fails for good).
func (o *Outbox) send(j inquiry.Job, storeWait bool) (_ sentJob, ok bool, storeErr error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.cfg.SendTimeout)
	defer cancel()
	// Built only when there is something to say: most sends say nothing.
	log := func() *slog.Logger {
		return o.log.With("job", j.ID, "kind", j.Kind, "ticket_id", j.TicketID, "attempt", j.Attempts)
	}
	// A mail or a Telegram message goes only while its relay is not known
	// to be failing, or as the one probe of it (relayGate); one kept back
	// is given back untried, with its attempt, for after the pause.
	var probe bool
	var gen uint64
	gate := o.gateOf(j)
	if gate != nil {
		var ok bool
		if ok, probe, gen = gate.admit(j.ID); !ok {
			log().Debug("relay failing: its sends paused; job given back untried")
			o.held.remove(j.ID)
			o.release(j)
			return sentJob{}, false, nil
		}
		if probe {
			// A send that ends without a word on the relay (stopped
			// before it, cut off) leaves the probe to the next job.
			defer gate.drop(j.ID)
		}
	}
	// Send only under a lease known to be ours for a while yet; one near
	// its end, or not confirmed for a third of a lease (renewals failing),
	// is renewed first (nobody else can hold a job while our lease on it
	// runs, so no store round trip is needed before then).
	//
	// A job that can be cancelled while held (a reminder) is renewed just
	// before its send all the same: the renewal reports one cancelled
	// since the claim or the last renewal as lost, and it is not sent.
	// Other kinds are never cancelled and pay no store round trip here.
	if until, _ := o.held.lease(j.ID); !until.IsZero() && (cancellable(j.Kind) || !o.leaseFresh(j.ID)) {
		o.renew([]int64{j.ID})
	}
	if until, _ := o.held.lease(j.ID); until.IsZero() && cancellable(j.Kind) && o.cancelledBeforeSend(j, log) {
		return sentJob{}, false, nil
	}
	if !o.leaseFresh(j.ID) {
		log().Warn("job lease lost, about to run out, or not confirmed lately before sending; left to the next claim")
		return sentJob{}, false, nil
	}
	capped := o.capped(j)
	if capped && !o.admitAck(ctx, j, log()) {
		return sentJob{}, false, nil
	}
	sendCtx, stopGuard := o.guardLease(ctx, j.ID, func() *slog.Logger {
		return log().With("recipient", j.Recipient, "message_id", messageID(j))
	})
	ref, err := o.deliverSafely(sendCtx, j, log)
	stopGuard()
	if gate != nil && (err == nil || relayAnswered(err)) && gate.answered(j.ID, probe) {
		o.Poke() // the jobs kept back are claimable again
	}
	if err == nil {
		// A capped ack stays counted in flight until finish records it;
		// one the relay accepted is sent, cut off or not.
		return sentJob{job: j, ref: ref}, true, nil
	}
	if capped {
		o.acks.done(1)
	}
	lu, cutOff := errors.AsType[*leaseUnconfirmed](context.Cause(sendCtx))
	if !cutOff {
		// A send of several requests stops between them (nextPart).
		lu, cutOff = errors.AsType[*leaseUnconfirmed](err)
	}
	if cutOff {
		// Cut off, so not the relay's failure: the job is given back with
		// its attempt, and sent again, as the same mail, by whichever
		// instance claims it next. If the store is still away, the
		// release fails and the lease runs out instead.
		log().Warn("send cut off: renewals of its lease failing, another instance could claim the job; released, to be sent again as the same mail",
			"recipient", j.Recipient, "message_id", messageID(j), "reason", lu, "err", err)
		// No longer held from here: released, the job can be claimed at
		// once, and a claim must take it for a new one, not for one in
		// hand (heldJobs.addNew), or it waits for its lease to run out.
		o.held.remove(j.ID)
		o.release(j)
		return sentJob{}, false, nil
	}
	if sr, isRead := errors.AsType[*storeReadError](err); isRead && storeWait {
		// Nothing went. Said once an outage (storeHealth), which also
		// holds the other sends back until the store answers.
		o.store.failed(sr.what, sr.err, "job", j.ID)
		log().Debug("what the send needs could not be read from the store; held until it answers, no attempt spent", "err", err)
		return sentJob{}, false, err
	}
	if gate != nil && RelayFault(err) {
		// Not the message's fault (for mail, no mail transaction began):
		// the job is given back untried, costing no attempt, still due,
		// and waits for the relay with every other job of its channel
		// (relayGate), however long that is. The gate logs the relay's
		// state, once per change.
		gate.failed(j.ID, probe, gen, err)
		log().Debug("send met a fault of the relay; given back untried", "err", err)
		o.held.remove(j.ID)
		o.release(j)
		if o.Failed != nil {
			o.Failed(j, err, false)
		}
		return sentJob{}, false, nil
	}
	// The outcome is recorded under a time of its own: a send cut off by
	// SendTimeout has used up ctx, and a failure not recorded would be sent
	// again at once when its lease ran out, for ever, with no error kept.
	ctx, cancelRecord := context.WithTimeout(context.Background(), recordTimeout)
	defer cancelRecord()
	now := o.now()
	errText := err.Error()
	forGood := Permanent(err) || j.Attempts >= o.cfg.MaxAttempts && !RelayFault(err)
	if forGood {
		if terr := o.tellUndelivered(ctx, j, err); terr != nil {
			// Not failed without a word: tried again, and the officer
			// told when it fails again and the store takes the notice.
			log().Error("send failed for good, but its officer could not be told; it is tried again", "err", err, "tell_err", terr)
			forGood, errText = false, fmt.Sprintf("%s (its officer could not be told: %v)", errText, terr)
		}
	}
	if forGood {
		ferr := o.jobs.FailJob(ctx, j.ID, o.owner, errText, now)
		if o.cancelledMeanwhile(j, err, ferr, log) {
			return sentJob{}, false, nil
		}
		if ferr != nil {
			log().Error("mark job failed", "err", ferr)
		}
		log().Error("send failed for good", "recipient", j.Recipient, "err", err, "permanent", Permanent(err))
		if o.Failed != nil {
			o.Failed(j, err, true)
		}
		return sentJob{}, false, nil
	}
	delay := o.backoff(j.Attempts)
	if d, ok := retryAfter(err); ok && d > delay {
		delay = d
	}
	rerr := o.jobs.RetryJob(ctx, j.ID, o.owner, now.Add(delay), errText)
	if o.cancelledMeanwhile(j, err, rerr, log) {
		return sentJob{}, false, nil
	}
	if rerr != nil {
		log().Error("schedule retry", "err", rerr)
	}
	log().Warn("send failed, will retry", "recipient", j.Recipient, "err", err, "retry_in", delay)
	if o.Failed != nil {
		o.Failed(j, err, false)
	}
	return sentJob{}, false, nil
}

// tellUndelivered asks Undelivered to tell the officer of an answer or a
// legal notice j that failed for good with err; other jobs are nobody's
// words to a citizen and need no such word.
func (o *Outbox) tellUndelivered(ctx context.Context, j inquiry.Job, err error) error {
	if o.cfg.Undelivered == nil || j.Kind != inquiry.JobAnswer && j.Kind != inquiry.JobNotice {
		return nil
	}
	return o.cfg.Undelivered(ctx, j, err.Error(), tooLarge(err))
}

// messageID is the Message-ID of the mail j sends, "" for a chat message.
func messageID(j inquiry.Job) string {
	if j.Mail == nil {
		return ""
	}
	return j.Mail.MessageID
}

// cancellable reports whether jobs of kind can be cancelled while the
// outbox holds them (store.Tx.CancelJobs): the desk cancels a ticket's
// reminders that no longer fit it, and nothing else.
func cancellable(kind inquiry.JobKind) bool { return kind == inquiry.JobReminder }

// cancelledBeforeSend settles job j, whose lease the store no longer
// grants it, when that is because it was cancelled since it was claimed:
// the claim the cancel kept is released (the attempt taken back), so the
// job stays cancelled, with nothing sent and no failure counted. It
// reports false, releasing nothing, when the job is another worker's.
func (o *Outbox) cancelledBeforeSend(j inquiry.Job, log func() *slog.Logger) bool {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if err := o.jobs.ReleaseJob(ctx, j.ID, o.owner); !errors.Is(err, store.ErrJobCancelled) {
		return false
	}
	log().Info("job cancelled after it was claimed, before its send: not sent", "recipient", j.Recipient)
	return true
}

// cancelledMeanwhile reports whether recording a failed send found the job
// cancelled while it was being sent (store.ErrJobCancelled): a reminder
// for a ticket closed meanwhile. The cancel stands, so the job is given
// up, and not as a failed send: Failed is not called, since a send
// nobody wants any more is no failure for the administrator's alerts.
func (o *Outbox) cancelledMeanwhile(j inquiry.Job, sendErr, recordErr error, log func() *slog.Logger) bool {
	if !errors.Is(recordErr, store.ErrJobCancelled) {
		return false
	}
	log().Info("send failed; the job was cancelled meanwhile, so it is not tried again", "recipient", j.Recipient, "err", sendErr)
	return true
}

// deliverSafely is deliver with a bug met on one job (in rendering it, in a
// transport) made a permanent failure of that job, logged with its stack:
// a crash would restart the daemon into the same job, and stop every send
// after it, for ever. A job failed so is never sent twice.
func (o *Outbox) deliverSafely(ctx context.Context, j inquiry.Job, log func() *slog.Logger) (ref string, err error) {
	defer func() {
		if r := recover(); r != nil {
			log().Error("internal error while sending a job; it is failed, the others go on", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = permanentError(fmt.Sprintf("internal error while sending: %v", r))
		}
	}()
	return o.deliver(ctx, j)
}

func (o *Outbox) deliver(ctx context.Context, j inquiry.Job) (string, error) {
	switch {
	case j.Mail != nil:
		m, err := o.withAttachments(ctx, j.Mail)
		if err != nil {
			return "", err
		}
		err = o.mail.SendMail(ctx, m)
		if j.Kind == inquiry.JobNotify && len(m.Attachments) > 0 && tooLarge(err) {
			// The officer must hear of the ticket whatever its files
			// weigh: the notification goes again without them, as the
			// same mail (the relay took nothing of the first), naming
			// them and where they are kept. A resend after a crash meets
			// the same refusal and sends the same smaller mail.
			o.log.Warn("notification too large for the relay; sent without its files", "job", j.ID, "ticket_id", j.TicketID,
				"recipient", j.Recipient, "files", len(m.Attachments), "err", err)
			err = o.mail.SendMail(ctx, withoutFiles(m, err))
		}
		// An answer is not cut down so: the citizen must not get one whose
		// files silently went missing. It fails for good, and its officer
		// is told (Undelivered).
		return "", err
	case j.Chat != nil:
		if o.chat == nil {
			return "", permanentError("telegram is not configured")
		}
		if j.Chat.AttachFrom != nil || len(j.Chat.Files) > 0 {
			return o.deliverChatFiles(ctx, j)
		}
		return o.chat.SendChat(ctx, j.Chat)
	default:
		return "", permanentError("job has nothing to send")
	}
}

// withAttachments returns m with the attachments it names read in. They
// are read for this send only and dropped after it, so a job never holds
// them between tries.
func (o *Outbox) withAttachments(ctx context.Context, m *inquiry.Mail) (*inquiry.Mail, error) {
	if m.AttachFrom == nil {
		return m, nil
	}
	if o.cfg.Attachments == nil {
		return nil, permanentError("mail names stored attachments, but the outbox has no attachment source")
	}
	atts, err := o.cfg.Attachments.Attachments(ctx, *m.AttachFrom)
	if err != nil {
		return nil, storeRead(fmt.Sprintf("read attachments of entry %d", m.AttachFrom.EntryID), err)
	}
	out := *m
	out.Attachments = append(slices.Clip(m.Attachments), atts...)
	out.AttachFrom = nil
	return &out, nil
}

// tooLarge reports whether err says the relay refuses the mail for its
// size (mailer.SendError.TooLarge).
func tooLarge(err error) bool {
	var e interface{ TooLarge() bool }
	return errors.As(err, &e) && e.TooLarge()
}

// withoutFiles is notification m without its attachments, which the relay
// refused as too large (why), and a note naming them and where the officer
// finds them: the ticket keeps every one.
func withoutFiles(m *inquiry.Mail, why error) *inquiry.Mail {
	out := *m
	out.Attachments, out.AttachFrom = nil, nil
	var b strings.Builder
	b.WriteString(strings.TrimRight(m.Text, "\n"))
	b.WriteString("\n\nShtojcat e qytetarit nuk u bashkëngjitën: serveri i postës nuk pranon një mesazh kaq të madh. ")
	number := m.Headers["X-Sportel-Ticket"]
	if number == "" {
		number = "NUMRI"
	}
	fmt.Fprintf(&b, "Ruhen në tiketë: i gjeni në hapësirën e punës, ose me `sportel tickets attachment %s`.\n", number)
	for _, a := range m.Attachments {
		name := textsafe.FileName(a.Name)
		if name == "" {
			name = "(pa emër)"
		}
		fmt.Fprintf(&b, "  - %s (%s, %d bytes)\n", name, a.ContentType, max(a.Size, int64(len(a.Content))))
	}
	fmt.Fprintf(&b, "(%s)\n", why)
	out.Text = b.String()
	return &out
}

// backoff is the delay before retrying a job that failed attempt times.
func (o *Outbox) backoff(attempt int) time.Duration {
	return backoff.Backoff{Min: o.cfg.BackoffMin, Max: o.cfg.BackoffMax}.Delay(attempt)
}

// storeReadError is a send that failed before anything went because what
// it needs could not be read from the store: the store's trouble, not the
// mail's.
type storeReadError struct {
	what string
	err  error
}

func (e *storeReadError) Error() string { return e.what + ": " + e.err.Error() }
func (e *storeReadError) Unwrap() error { return e.err }

// storeRead wraps err, met doing what, as a storeReadError, unless it is
// permanent (the thing read is gone for good: retrying will not help).
func storeRead(what string, err error) error {
	if Permanent(err) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return &storeReadError{what: what, err: err}
}

type permanentError string

func (e permanentError) Error() string   { return string(e) }
func (e permanentError) Permanent() bool { return true }
