package outbox

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// A store that is locked rather than failing (another process holding
// SQLite's write lock, a PostgreSQL LOCK TABLE) makes completions wait
// instead of fail, so storeHealth says nothing until a call times out.
// Meanwhile every mail the relay accepts is one a crash, or another
// instance claiming it once its lease runs out, sends again. recordGate
// bounds those: no send starts while the commit recording completions has
// been under way for RecordStall, so what can go twice is what was sent
// within RecordStall of that commit's start and one send under way a
// worker, however long the store stays locked.
//
// A time, not a count: in a healthy backlog completions pile up behind
// the desk's transactions (on SQLite the outbox's commit waits for them):
// measured with the end-to-end backlog benchmark on two loaded cores, up
// to about 200 recorded in one commit, and commits waiting up to about
// 110 ms. A gate at a few completions a worker closed some 70 times a run
// there and cost about 12 % of the backlog's rate; one at RecordStall
// does not close in a healthy run.

// RecordStall is how long the commit recording completions may be under
// way before new sends wait for it.
const RecordStall = 250 * time.Millisecond

// holdLogAfter is how long new sends must have waited for completions to
// be recorded before it is logged: a slow commit is not worth a line.
const holdLogAfter = 2 * time.Second

// recordGate holds new sends back while completions are not being
// recorded.
type recordGate struct {
	// committing is when (mono, plus one so that zero says none) the
	// commit under way began; read before every send without a lock.
	committing atomic.Int64
	// unrecorded counts sends accepted and not yet recorded, for the log.
	unrecorded atomic.Int64
	log        *slog.Logger
	mono       func() time.Duration
	// failedSince reports whether the store failed a call at or after a
	// time (storeHealth): a commit that met a failure waits out its retry's
	// backoff, the outage's, which storeHealth has said already.
	failedSince func(time.Duration) bool

	mu sync.Mutex
	// holding: a send has found the gate closed, at since (mono), and it
	// has not opened since; logged says the hold was logged.
	holding, logged bool
	since           time.Duration
	// opened is closed when the gate opens after holding.
	opened chan struct{}
}

// stalled reports whether the commit under way has run RecordStall by now.
func (g *recordGate) stalled(now time.Duration) bool {
	began := g.committing.Load()
	return began != 0 && now-time.Duration(began-1) >= RecordStall
}

// open reports whether a send may start: the lock-free look, first, which
// reads the clock only while a commit is under way.
func (g *recordGate) open() bool { return g.committing.Load() == 0 || !g.stalled(g.mono()) }

// accepted counts one send accepted and not yet recorded.
func (g *recordGate) accepted() { g.unrecorded.Add(1) }

// commit says a commit recording completions begins.
func (g *recordGate) commit() { g.committing.Store(int64(g.mono()) + 1) }

// check reports whether a send may start; when not, it returns a channel
// closed when the gate opens, and says so once the hold has lasted
// holdLogAfter.
func (g *recordGate) check() (opened <-chan struct{}, closed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.mono()
	if !g.stalled(now) {
		return nil, false
	}
	if !g.holding {
		g.holding, g.since, g.opened = true, now, make(chan struct{})
	}
	if began := g.committing.Load(); !g.logged && now-g.since >= holdLogAfter && !g.failedSince(time.Duration(began-1)) {
		g.logged = true
		g.log.Warn("completions not recorded: the store takes them in no more (locked by another process?); new sends wait until it does, so a crash would send again only these (logged again when they are recorded)",
			"unrecorded", g.unrecorded.Load(), "waiting_for", (now - g.since).Round(time.Millisecond))
	}
	return g.opened, true
}

// recorded ends the commit begun last, which recorded k completions (or
// gave them up, to be sent again when their leases run out), and opens
// the gate if it was holding sends back.
func (g *recordGate) recorded(k int) {
	g.unrecorded.Add(-int64(k))
	g.committing.Store(0)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.holding {
		return
	}
	close(g.opened)
	g.holding = false
	if g.logged {
		g.logged = false
		g.log.Info("completions recorded again: sends go on", "held_for", (g.mono() - g.since).Round(time.Millisecond))
	}
}

// heldFor is how long new sends have waited for completions to be
// recorded; 0 when they do not.
func (g *recordGate) heldFor() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.holding {
		return 0
	}
	return g.mono() - g.since
}
