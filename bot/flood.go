package bot

import (
	"sync"
	"time"
)

// floodGate counts each chat's messages in a sliding window. A chat past
// the limit is muted for one window: its messages are still filed, but the
// bot stops answering so a script cannot make it spam back.
type floodGate struct {
	limit int
	per   time.Duration

	mu    sync.Mutex
	chats map[int64]*floodChat
}

type floodChat struct {
	seen       []time.Time
	mutedUntil time.Time
	// The last update counted and what note said of it: an update whose
	// handling failed is handled again, and must not count twice (a
	// store outage would otherwise mute a citizen writing one message).
	lastUpdate         int64
	lastMuted, lastNew bool
}

func newFloodGate(limit int, per time.Duration) *floodGate {
	return &floodGate{limit: limit, per: per, chats: make(map[int64]*floodChat)}
}

// note records a message from chat, Telegram's update, at now. muted says
// the bot must not answer; notify is true once per muting, for the polite
// notice. The same update noted again (its handling failed and is tried
// again; its answers were never sent) gets the same answer and is not
// counted again.
func (g *floodGate) note(chat, update int64, now time.Time) (muted, notify bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.chats[chat]
	if c == nil {
		if len(g.chats) >= 10000 {
			g.forget(now)
		}
		c = &floodChat{}
		g.chats[chat] = c
	}
	if update != 0 && update == c.lastUpdate {
		return c.lastMuted, c.lastNew
	}
	c.lastUpdate = update
	c.lastMuted, c.lastNew = g.count(c, now)
	return c.lastMuted, c.lastNew
}

// count adds a message at now to c's window; g.mu must be held.
func (g *floodGate) count(c *floodChat, now time.Time) (muted, notify bool) {
	if now.Before(c.mutedUntil) {
		return true, false
	}
	keep := c.seen[:0]
	for _, t := range c.seen {
		if now.Sub(t) < g.per {
			keep = append(keep, t)
		}
	}
	c.seen = append(keep, now)
	if len(c.seen) > g.limit {
		c.mutedUntil = now.Add(g.per)
		c.seen = c.seen[:0]
		return true, true
	}
	return false, false
}

// forget drops chats that have been quiet for a window, so the map does
// not grow with every chat ever seen; g.mu must be held.
func (g *floodGate) forget(now time.Time) {
	for id, c := range g.chats {
		quiet := len(c.seen) == 0 || now.Sub(c.seen[len(c.seen)-1]) >= g.per
		if quiet && !now.Before(c.mutedUntil) {
			delete(g.chats, id)
		}
	}
}
