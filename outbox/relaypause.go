package outbox

import (
	"log/slog"
	"sync"
	"time"

	"sportel/internal/backoff"
	"sportel/internal/connhint"
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
// found within 5 minutes.
const (
	defaultRelayPauseMin = 30 * time.Second
	defaultRelayPauseMax = 5 * time.Minute
)

// mailClaim is what a claim may take of the mail (relayGate.claimable).
type mailClaim int

const (
	claimAllMail mailClaim = iota // the relay is up
	claimNoMail                   // paused, or its probe is out
	claimProbe                    // a probe is due: one mail, reserved as it
)

// relayGate decides whether a mail send may connect to the relay. Workers,
// the claim loop and the metrics use it concurrently.
type relayGate struct {
	pause backoff.Backoff
	mono  func() time.Duration // the outbox's monotonic clock
	// wall is the outbox's clock: the pause's start is read from it once,
	// to be shown to people (the workspace's banner); the pause itself
	// runs on mono.
	wall func() time.Time
	log  *slog.Logger

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

// claimable says what the next claim may take of the mail.
func (g *relayGate) claimable() mailClaim {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case !g.down:
		return claimAllMail
	case g.probe != 0 || g.mono() < g.until:
		return claimNoMail
	}
	return claimProbe
}

// probeIn reports whether the claims leave the mail out, and how long
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

// admit reports whether job id's mail may be sent now, whether it is the
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
// next mail probes.
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
	g.log.Info("mail relay answers again; mail sends resume", "away", (g.mono() - g.since).Round(time.Millisecond),
		"probes_failed", g.faults-1)
	g.down, g.probe, g.faults = false, 0, 0
	g.gen++
	return true
}

// failed records that job id's send met a fault of the relay (err, the
// mailer's, which holds no secret). The first fault pauses the mail; the
// probe's lengthens the pause; a send begun under an earlier transition
// changes nothing. Both lines name the setting to look at when the fault
// is one an administrator fixes (a CA, the security, the login).
func (g *relayGate) failed(id int64, probe bool, gen uint64, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.mono()
	attrs := []any{"reason", err.Error()}
	if h := connhint.For(err, "smtp"); h != "" {
		attrs = append(attrs, "hint", h)
	}
	switch {
	case probe && g.down && g.probe == id:
		g.faults++
		g.probe = 0
		g.until = now + g.pause.Delay(g.faults)
		g.log.Warn("mail relay still failing; mail sends stay paused", append(attrs,
			"down_for", (now-g.since).Round(time.Millisecond), "next_probe_in", (g.until-now).Round(time.Millisecond))...)
	case !probe && !g.down && gen == g.gen:
		g.down, g.faults, g.since, g.sinceWall = true, 1, now, g.wall()
		g.gen++
		g.until = now + g.pause.Delay(g.faults)
		g.log.Error("mail relay failing: no mail is sent until it answers again, one probe at a time; fix the relay or the smtp settings (a refused login: the password). Telegram messages go on",
			append(attrs, "next_probe_in", (g.until-now).Round(time.Millisecond))...)
	}
}

// paused reports whether mail sends are paused (a probe out included),
// and since when on the wall clock.
func (g *relayGate) paused() (since time.Time, down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.down {
		return time.Time{}, false
	}
	return g.sinceWall, true
}
