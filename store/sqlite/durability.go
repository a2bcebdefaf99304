package sqlite

import (
	"context"
	"fmt"
)

// durability is what a write must survive. With synchronous=FULL (the
// default) every commit waits for the disk, about half a millisecond here,
// while it holds the store's one write lock. The outbox commits a claim and
// a completion for every mail it sends, a few hundred commits per thousand
// mails, and intake waited behind their disk flushes. Those writes only need
// to survive a crash of the process, which the write-ahead log gives
// without a flush (synchronous=NORMAL): a claim lost in a power cut is
// claimed again; a completion lost in one makes its mail go out again as the
// same mail, which is what at-least-once with a fixed Message-ID allows. The
// next durable commit flushes them too, since the log is written in order.
// Intake stays durable: its mail is moved out of the mailbox once committed.
type durability int

const (
	durable durability = iota // the configured synchronous level
	relaxed                   // NORMAL: survives a crash of the process
)

// useDurability sets the write connection's synchronous level for the write
// about to run; the caller holds the write lock. Each write says what it
// needs, so a level never carries over to a write that needs more.
func (s *Store) useDurability(ctx context.Context, d durability) error {
	level := s.syncLevel
	if d == relaxed {
		level = "NORMAL"
	}
	if level == "" || s.curSync == level {
		return nil
	}
	if _, err := s.wdb.ExecContext(ctx, "PRAGMA synchronous = "+level); err != nil {
		s.curSync = "" // unknown: set it again next time
		return fmt.Errorf("set synchronous %s: %w", level, err)
	}
	s.curSync = level
	return nil
}
