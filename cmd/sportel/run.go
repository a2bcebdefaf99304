package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"sportel/app"
	"sportel/config"
	"sportel/internal/buildinfo"
)

func cmdRun(ctx context.Context, args []string, e *env) int {
	// Caught before anything else, so a SIGHUP while the configuration is
	// read does not kill the daemon (SIGHUP's default action): it is held,
	// and reloads once the daemon is up.
	hup := catchHangups()
	defer hup.stop()
	fs := newFlags("run", commands()["run"].summary, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := mustLoadConfig(*path, e)
	if !ok {
		return 1
	}
	log := app.NewLogger(cfg.Log, e.stderr)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	a.SetBuild(buildinfo.Read(version))
	// The same file, read as at start; Reload logs what it did.
	hup.reload(func() { _ = a.Reload(func() (*config.Config, error) { return config.Load(*path, e.getenv) }) })
	// Before the store closes: a reload under way finishes first.
	defer hup.stop()
	if err := a.Run(ctx); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped cleanly")
	return 0
}

// hangups turns SIGHUP into configuration reloads.
type hangups struct {
	sigs     chan os.Signal
	done     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// catchHangups starts catching SIGHUP; until reload is called they are
// held (one at most: several in a row ask for one reload).
func catchHangups() *hangups {
	h := &hangups{sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(h.sigs, syscall.SIGHUP)
	return h
}

// reload calls do for every SIGHUP, held or to come, one at a time, until
// stop.
func (h *hangups) reload(do func()) {
	h.wg.Go(func() {
		for {
			select {
			case <-h.sigs:
				do()
			case <-h.done:
				return
			}
		}
	})
}

// stop ends the reloads, waiting for one under way, and restores SIGHUP's
// default action; calling it again does nothing.
func (h *hangups) stop() {
	h.stopOnce.Do(func() {
		signal.Stop(h.sigs)
		close(h.done)
		h.wg.Wait()
	})
}
