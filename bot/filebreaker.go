package bot

import (
	"log/slog"
	"sync"
	"time"
)

// The update loop waits for a citizen's files, so a Telegram file server
// that hangs would make every update with a file cost FileTimeout, and the
// text messages behind them wait as long. After one download fails in a
// way that speaks of the server (a timeout, a connection error, a 5xx) the
// bot stops trying downloads for a cool-down; a file skipped so is
// recorded as not kept, as a failed one is. After the cool-down one
// download probes the server: answering closes the breaker, failing
// doubles the cool-down, up to its cap.

const (
	defaultFileCooldown    = time.Minute
	defaultFileCooldownMax = 15 * time.Minute
	// reasonBreakerOpen is what the log says of a file skipped while the
	// breaker is open.
	reasonBreakerOpen = "file server not answering; not tried"
)

type fileBreakerState int

const (
	fileServerUp      fileBreakerState = iota // downloads are tried
	fileServerDown                            // downloads are skipped until the cool-down ends
	fileServerProbing                         // one download is out to see whether it answers again
)

// fileBreaker decides whether a download is tried. The update loop is its
// only caller, but the metrics read it from another goroutine.
type fileBreaker struct {
	cooldown, maxCooldown time.Duration
	now                   func() time.Time
	log                   *slog.Logger

	mu    sync.Mutex
	state fileBreakerState
	trips int       // openings since the server last answered; doubles the cool-down
	until time.Time // while down, the end of the cool-down
}

func newFileBreaker(cooldown, maxCooldown time.Duration, now func() time.Time, log *slog.Logger) *fileBreaker {
	if cooldown <= 0 {
		cooldown = defaultFileCooldown
	}
	if maxCooldown <= 0 {
		maxCooldown = defaultFileCooldownMax
	}
	return &fileBreaker{cooldown: cooldown, maxCooldown: max(maxCooldown, cooldown), now: now, log: log}
}

// allow reports whether a download may be tried, and whether it is the
// probe whose outcome decides if the breaker closes.
func (b *fileBreaker) allow() (ok, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case fileServerUp:
		return true, false
	case fileServerDown:
		if b.now().Before(b.until) {
			return false, false
		}
		b.state = fileServerProbing
		return true, true
	default: // a probe is out
		return false, false
	}
}

// answered records a download the server answered, with the file or with
// a refusal about that one file (a 4xx): the server is up.
func (b *fileBreaker) answered(probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !probe || b.state != fileServerProbing {
		// A download that was out when the breaker opened changes nothing.
		return
	}
	b.state, b.trips = fileServerUp, 0
	b.log.Info("telegram file downloads resumed: the file server answers again")
}

// failed records a download the server did not answer: it timed out, the
// connection failed, or the server said 5xx.
func (b *fileBreaker) failed(probe bool, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case probe && b.state == fileServerProbing:
		pause := b.open()
		b.log.Info("telegram file server still not answering; downloads stay paused",
			"reason", reason, "next_probe_in", pause)
	case !probe && b.state == fileServerUp:
		pause := b.open()
		// Once per opening: the files skipped are logged each at warn
		// with reasonBreakerOpen.
		b.log.Warn("telegram file downloads paused: the file server is not answering; files are recorded as not kept until a probe succeeds",
			"reason", reason, "next_probe_in", pause)
	}
}

// abandon gives back a probe cut off by a shutdown: it proved nothing, and
// the next download probes again.
func (b *fileBreaker) abandon(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == fileServerProbing {
		b.state = fileServerDown
	}
}

// open starts a cool-down, doubled for each opening since the server last
// answered; b.mu must be held.
func (b *fileBreaker) open() time.Duration {
	b.trips++
	pause := b.cooldown
	for i := 1; i < b.trips && pause < b.maxCooldown; i++ {
		pause *= 2
	}
	pause = min(pause, b.maxCooldown)
	b.state, b.until = fileServerDown, b.now().Add(pause)
	return pause
}

// isOpen reports whether downloads are being skipped (or one probe is out).
func (b *fileBreaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state != fileServerUp
}

// FileDownloadsPaused reports whether citizens' files are not being
// downloaded because the file server stopped answering: their messages are
// filed with the files recorded as not kept until a probe succeeds.
func (b *Bot) FileDownloadsPaused() bool { return b.breaker.isOpen() }
