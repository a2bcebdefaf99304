package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// SQLite copies the write-ahead log back into the database file
// (checkpoints) by default inside the commit that takes the log past 1,000
// pages, so every few dozen mails one intake transaction paid for copying
// the pages of all the transactions before it: about a seventh of the
// desk's time, on the path every message waits for. The Store checkpoints
// on a connection of its own instead, shortly after writes, beside the
// writer (a PASSIVE checkpoint never blocks it). The commit-time checkpoint
// stays as a backstop at walBackstopPages, should the background one fall
// behind or fail.
const (
	// checkpointDelay is how long writes gather before a checkpoint: at
	// intake's pace about a thousand pages, the size SQLite's default
	// keeps the log to, while an idle store checkpoints once after its last
	// write.
	checkpointDelay = 100 * time.Millisecond
	// walBackstopPages (80 MB of log with 8 KiB pages, 40 with SQLite's
	// 4 KiB) is where a commit checkpoints itself.
	walBackstopPages = 10000
	// walRestartBytes is the log a checkpoint lets grow before it finishes
	// under the write lock, so that the log starts over. Below it the pass
	// beside the writer is enough. The pass under the lock copies what was
	// committed while it waited for the lock, and stops every writer: 5-22
	// ms at a time in a drain of realistic mail, which writes about 55 MB
	// of log a thousand mails. At 8 MB that was three or four times a
	// thousand mails; at 32 MB it is once, for 2-3 % more mails a second
	// (four runs of 20-30 interleaved rounds, 5 December).
	walRestartBytes = 32 << 20
)

// walCheckpointer runs the background checkpoints of one Store.
type walCheckpointer struct {
	written chan struct{} // poked, never blocking, after each write
	// restartPages is walRestartBytes in the database's pages.
	restartPages int
	stop         context.CancelFunc
	done         sync.WaitGroup
}

// startCheckpoints starts the background checkpoints of s, whose pages
// are pageSize bytes.
func (s *Store) startCheckpoints(pageSize int) {
	ctx, cancel := context.WithCancel(context.Background())
	s.ckpt = &walCheckpointer{written: make(chan struct{}, 1), stop: cancel, restartPages: walRestartBytes / max(pageSize, 512)}
	s.ckpt.done.Go(func() { s.checkpointLoop(ctx) })
}

// stopCheckpoints ends the background checkpoints and waits for a running
// one to finish; closing the last connection then checkpoints what is left.
func (s *Store) stopCheckpoints() {
	if s.ckpt == nil {
		return
	}
	s.ckpt.stop()
	s.ckpt.done.Wait()
}

// wrote tells the checkpointer the log grew.
func (s *Store) wrote() {
	if s.ckpt == nil {
		return
	}
	select {
	case s.ckpt.written <- struct{}{}:
	default:
	}
}

func (s *Store) checkpointLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.ckpt.written:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(checkpointDelay):
		}
		if err := s.checkpoint(ctx); err != nil && ctx.Err() == nil {
			// The commit-time backstop keeps the log bounded meanwhile.
			slog.WarnContext(ctx, "background checkpoint of the SQLite log failed", "db", s.path, "err", err)
		}
	}
}

// checkpoint copies the log's committed pages into the database file as far
// as no reader still needs them. The first pass runs beside the writer.
// Once the log has grown past walRestartBytes, a second pass copies what
// was committed meanwhile, while this process's writes wait, so that the
// log is copied whole and the next write starts it again from the
// beginning. Under writes that never pause, passes that only run beside
// the writer would always trail it, and the log would grow to the
// backstop.
func (s *Store) checkpoint(ctx context.Context) error {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	logPages, err := s.checkpointPass(ctx)
	if err != nil || logPages < s.ckpt.restartPages {
		return err
	}
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait to finish a checkpoint: %w", ctx.Err())
	}
	// Not lockWrite's unlock: that would ask for another checkpoint.
	defer func() { <-s.writer }()
	_, err = s.checkpointPass(ctx)
	return err
}

// checkpointPass runs one PASSIVE checkpoint and returns the pages in the
// log.
func (s *Store) checkpointPass(ctx context.Context) (logPages int, err error) {
	var busy, copied int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return logPages, nil
}
