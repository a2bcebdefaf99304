package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// runner is one long-running part of the daemon. It returns nil when its
// context ends; any other return, error or not, is a failure of the daemon.
type runner struct {
	name string
	run  func(context.Context) error
}

// runAll runs every runner until ctx ends or one of them returns, whichever
// is first; then it cancels the rest and waits for them at most stopTimeout,
// so a stuck part cannot keep the process alive forever. The error names
// the runner that failed first (errgroup style: the first failure is the
// cause, the rest follow from the cancel).
func runAll(ctx context.Context, log *slog.Logger, stopTimeout time.Duration, runners []runner) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu      sync.Mutex
		first   error // the failure that stopped the daemon
		running = make(map[string]bool, len(runners))
		wg      sync.WaitGroup
	)
	for _, r := range runners {
		running[r.name] = true
	}
	for _, r := range runners {
		wg.Go(func() {
			err := r.run(ctx)
			mu.Lock()
			delete(running, r.name)
			if ctx.Err() == nil {
				// Returned while the daemon should be running: that stops it.
				if err == nil {
					err = errors.New("stopped unexpectedly")
				}
				if first == nil {
					first = fmt.Errorf("%s: %w", r.name, err)
					log.Error("a part of the daemon failed; stopping the rest", "part", r.name, "err", err)
				}
				mu.Unlock()
				cancel()
				return
			}
			mu.Unlock()
			if err != nil && !errors.Is(err, context.Canceled) {
				log.Error("error while stopping", "part", r.name, "err", err)
			}
		})
	}
	<-ctx.Done()

	stopped := make(chan struct{})
	go func() {
		wg.Wait()
		close(stopped)
	}()
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-stopped:
		mu.Lock()
		defer mu.Unlock()
		return first
	case <-timer.C:
		mu.Lock()
		defer mu.Unlock()
		stuck := make([]string, 0, len(running))
		for name := range running {
			stuck = append(stuck, name)
		}
		slices.Sort(stuck)
		return errors.Join(first, fmt.Errorf("did not stop within %s: still running: %s", stopTimeout, strings.Join(stuck, ", ")))
	}
}
