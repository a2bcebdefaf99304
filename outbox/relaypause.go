package outbox

import (
	"log/slog"
	"sync"
	"time"

	"sportel/internal/backoff"
	"sportel/internal/connhint"
	"sportel/internal/outage"
)

// When the relay itself fails (RelayFault: unreachable, its TLS, greeting
// or login refused), every mail meets the same fault, and every try of
// every job is one more failed login: mail servers lock the account or ban
// the address after a handful of those (Exchange's smart lockout,
// Dovecot's auth penalty, fail2ban). So the first such fault pauses every
// mail send of this outbox: no worker connects to the relay until the
// pause ends; then one send probes it. The probe answered (the relay took
// the mail, or at least began a mail transaction), mail flows again;
// failing, it lengthens the pause. Telegram messages go on meanwhile, and
// the claims take no mail while the pause lasts.
//
// Telegram's Bot API is the chat messages' relay, and has a gate of its
// own (Outbox.chatGate): a fault of the service or of the way to it
// (unreachable, timing out, a 5xx, a proxy's page, a 429, the token
// refused; the bot's sendError.RelayFault) is the same for every chat and
// no chat's, so it pauses every Telegram send the same way, mail going on;
// a refusal of one chat (403 blocked, 400 chat not found) is an answer of
// the API, fails that job as before, and ends a pause when a probe gets
// it. Without the gate, an outage of 11 to 21 minutes used up the 8
// attempts of every queued message, and citizens never got their answers.
//
// A job the pause kept back, or whose send met the relay's fault, is given
// back untried (ReleaseJob): the relay's outage costs no job an attempt,
// and its due time stays, so the oldest due job's age (and the
// SportelOutboxStuck alert) grows with the outage.
//
// The pause starts at 30 s and doubles to 5 minutes, each drawn from the
// upper half (backoff.Delay): the few seconds of BackoffMin would still be
// a login every few seconds, the usual lockout counts failures over 10 to
// 30 minutes, and once at the cap that is 2 to 4 logins in 10 minutes, for
// however long the outage lasts. A relay back, or a password fixed, is
// found within 5 minutes. Telegram has no lockout to fear: its pause
// starts at 10 s, as a retry did, and doubles to the same 5 minutes; a
// 429's retry_after lengthens it.
const (
	defaultRelayPauseMin = 30 * time.Second
	defaultRelayPauseMax = 5 * time.Minute
	defaultChatPauseMin  = 10 * time.Second
	defaultChatPauseMax  = 5 * time.Minute
)

// gateClaim is what a claim may take of a gate's channel
// (relayGate.claimable).
type gateClaim int

const (
	claimAll   gateClaim = iota // the relay is up
	claimNone                   // paused, or its probe is out
	claimProbe                  // a probe is due: one job, reserved as it
)

// relayGate decides whether a send may go to its channel's relay: the
// mail's SMTP relay, or Telegram's Bot API. Workers, the claim loop and
// the metrics use it concurrently.
type relayGate struct {
	pause backoff.Backoff
	mono  func() time.Duration // the outbox's monotonic clock
	// wall is the outbox's clock: the pause's start is read from it once,
	// to be shown to people (the workspace's banner); the pause itself
	// runs on mono.
	wall func() time.Time
	// say logs the pause's changes, in the channel's words.
	say gateSay

	mu   sync.Mutex
	down bool
	// gen counts the pause's transitions: a send that began under an
	// earlier one changes nothing (several in flight when the relay first
	// fails make one pause and one log line).
	gen uint64
	// faults counts the pause's probes that failed, and the fault that
	// began it; it lengthens the pause.
	faults int
	since  time.Duration // while down: when the relay first failed
	// sinceWall is since on the wall clock, read at the same moment.
	sinceWall time.Time
	until     time.Duration // while down: when the next probe may go
	probe     int64         // the job probing the relay, 0 when none is out
}

// claimable says what the next claim may take of the channel.
func (g *relayGate) claimable() gateClaim {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case !g.down:
		return claimAll
	case g.probe != 0 || g.mono() < g.until:
		return claimNone
	}
	return claimProbe
}

// probeIn reports whether the claims leave the channel out, and how long
// until a probe is due then (a long time when one is out: its outcome
// wakes the claims).
func (g *relayGate) probeIn() (d time.Duration, paused bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case !g.down:
		return 0, false
	case g.probe != 0:
		return time.Hour, true
	}
	d = g.until - g.mono()
	return d, d > 0
}

// reserve makes job id the probe, if one is due and none is out; the
// claim that took it reserves it, so no other claim takes mail meanwhile.
func (g *relayGate) reserve(id int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.down || g.probe != 0 || g.mono() < g.until {
		return false
	}
	g.probe = id
	return true
}

// admit reports whether job id may be sent now, whether it is the
// probe, and the transition it is sent under.
func (g *relayGate) admit(id int64) (ok, probe bool, gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case !g.down:
		return true, false, g.gen
	case g.probe == id:
		return true, true, g.gen
	case g.probe == 0 && g.mono() >= g.until:
		g.probe = id
		return true, true, g.gen
	}
	return false, false, g.gen
}

// drop gives up job id's probe, if it is the probe, without a word on the
// relay (the send stopped before it, or failed of something else): the
// next job of the channel probes.
func (g *relayGate) drop(id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.probe == id {
		g.probe = 0
	}
}

// answered records that the relay answered job id's send. It reports
// whether that ended the pause: the probe's answer does; a send begun
// before the pause changes nothing.
func (g *relayGate) answered(id int64, probe bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !probe || !g.down || g.probe != id {
		return false
	}
	g.say.ended(g.mono()-g.since, g.faults-1)
	g.down, g.probe, g.faults = false, 0, 0
	g.gen++
	return true
}

// failed records that job id's send met a fault of the relay (err, the
// transport's, which holds no secret). The first fault pauses the
// channel; the probe's lengthens the pause; a send begun under an earlier
// transition changes nothing. A pause lasts at least what err asks to
// wait (Telegram's 429 retry_after).
func (g *relayGate) failed(id int64, probe bool, gen uint64, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.mono()
	wait, _ := retryAfter(err)
	switch {
	case probe && g.down && g.probe == id:
		g.faults++
		g.probe = 0
		g.until = now + max(g.pause.Delay(g.faults), wait)
		g.say.still(err, now-g.since, g.until-now)
	case !probe && !g.down && gen == g.gen:
		g.down, g.faults, g.since, g.sinceWall = true, 1, now, g.wall()
		g.gen++
		g.until = now + max(g.pause.Delay(g.faults), wait)
		g.say.began(err, g.until-now)
	}
}

// paused reports whether the channel's sends are paused (a probe out included),
// and since when on the wall clock.
func (g *relayGate) paused() (since time.Time, down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.down {
		return time.Time{}, false
	}
	return g.sinceWall, true
}

// gateSay logs a gate's pause as its administrator reads it: when it
// began and why, its probes failing, and its end. It is called under the
// gate's lock.
type gateSay interface {
	began(err error, nextProbe time.Duration)
	still(err error, downFor, nextProbe time.Duration)
	ended(away time.Duration, probesFailed int)
}

// mailSay says the mail's pause: at error when it begins, a warning a
// failed probe (one every few minutes at most), and when it ends. Both
// fault lines name the setting to look at when the fault is one an
// administrator fixes (a CA, the security, the login).
type mailSay struct{ log *slog.Logger }

func mailFault(err error) []any {
	attrs := []any{"reason", err.Error()}
	if h := connhint.For(err, "smtp"); h != "" {
		attrs = append(attrs, "hint", h)
	}
	return attrs
}

func (s mailSay) began(err error, next time.Duration) {
	s.log.Error("mail relay failing: no mail is sent until it answers again, one probe at a time; fix the relay or the smtp settings (a refused login: the password). Telegram messages go on",
		append(mailFault(err), "next_probe_in", next.Round(time.Millisecond))...)
}

func (s mailSay) still(err error, downFor, next time.Duration) {
	s.log.Warn("mail relay still failing; mail sends stay paused", append(mailFault(err),
		"down_for", downFor.Round(time.Millisecond), "next_probe_in", next.Round(time.Millisecond))...)
}

func (s mailSay) ended(away time.Duration, probesFailed int) {
	s.log.Info("mail relay answers again; mail sends resume", "away", away.Round(time.Millisecond), "probes_failed", probesFailed)
}

// chatSay says Telegram's pause as the bot's getUpdates says its outage
// (internal/outage): at error when it begins, its failed probes at debug
// and again at warn every 20 minutes, and at info when it ends.
type chatSay struct{ out *outage.Log }

// chatFailing is the one line of a Telegram outage: outage.Log says it
// again at warn only when the message changes, or every 20 minutes.
const chatFailing = "telegram bot API failing: no Telegram message is sent until it answers again, one probe at a time; mail goes on"

func (s chatSay) began(err error, next time.Duration) {
	s.out.Failed(chatFailing, "reason", err.Error(), "next_probe_in", next.Round(time.Millisecond))
}

func (s chatSay) still(err error, _, next time.Duration) {
	s.out.Failed(chatFailing, "reason", err.Error(), "next_probe_in", next.Round(time.Millisecond))
}

func (s chatSay) ended(_ time.Duration, probesFailed int) {
	s.out.Ended("telegram bot API answers again; Telegram sends resume", "probes_failed", probesFailed)
}
