package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"sportel/app"
	"sportel/config"
	"sportel/internal/backoff"
	"sportel/internal/buildinfo"
	"sportel/internal/outage"
	"sportel/store"
)

// exitConfig is `sportel run`'s status when its configuration cannot be
// used (EX_CONFIG in sysexits.h; systemd shows it as "CONFIG"): a file that
// will not work is no better five seconds later, so the unit names it in
// RestartPreventExitStatus= and stops at once instead of restarting in a
// loop; other failures exit 1 and are restarted.
const exitConfig = 78

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
	if strayArgs("run", fs, 0, e) {
		return 2
	}
	cfg, ok, stopped := loadConfigUnlessStopped(ctx, *path, e)
	if stopped {
		fmt.Fprintf(e.stderr, "sportel: stopped while reading the configuration file %s; the daemon did not start\n", *path)
		return 0
	}
	if !ok {
		return exitConfig
	}
	log := app.NewLogger(cfg.Log, e.stderr)
	if keys := exampleAddressKeys(cfg); len(keys) > 0 {
		log.Warn("still example addresses (a reserved domain: no mail reaches them); put in the division's", "keys", strings.Join(keys, ", "))
	}
	a, err := openWaitingForTheStore(ctx, cfg, log)
	if err != nil {
		if stoppedStarting(ctx, err) {
			logStoppedStarting(log, err)
			return 0
		}
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
		if stoppedStarting(ctx, err) {
			logStoppedStarting(log, err)
			return 0
		}
		// Only a refused mailbox: the other errors that end Run are not
		// all the mail servers' (a certificate may be PostgreSQL's).
		if h := mailboxHint(err); h != "" {
			log.Error("stopped", "err", err, "hint", h)
		} else {
			log.Error("stopped", "err", err)
		}
		return 1
	}
	log.Info("stopped cleanly")
	return 0
}

// openWaitingForTheStore opens the app, waiting while the store's server
// cannot be reached or is starting (store.ErrConnLost, store.ErrBusy): a
// PostgreSQL restarting, or a host whose database comes up after Sportel.
// Exiting instead would have systemd restart the unit every 5 s and give
// up for good after five tries, half a minute of the database away. The
// wait is logged once at error with the cause, then every 20 minutes, and
// when the store answers; a stop ends it (stoppedStarting).
func openWaitingForTheStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app.App, error) {
	bo := backoff.Backoff{Min: time.Second, Max: 30 * time.Second}
	down := outage.New(log, 0, nil)
	for tries := 1; ; tries++ {
		a, err := app.Open(ctx, cfg, log)
		if err == nil {
			down.Ended("store answers; starting")
			return a, nil
		}
		if ctx.Err() != nil || !(errors.Is(err, store.ErrConnLost) || errors.Is(err, store.ErrBusy)) {
			return nil, err
		}
		delay := bo.Delay(tries)
		down.Failed("store cannot be reached; the daemon starts once it answers", "err", err, "retry_in", delay)
		if !backoff.Sleep(ctx, delay) {
			return nil, fmt.Errorf("waiting for the store (%v): %w", err, context.Canceled)
		}
	}
}

// stoppedStarting reports whether err ended the start because the daemon was
// told to stop (ctx, cancelled by SIGTERM or SIGINT) while it waited for
// something: the store, a lock, the network.
//
// That is not a failure of the daemon, so `sportel run` exits 0, as for a
// stop once running (README, Commands): the operator asked for it, and a
// non-zero status would have systemd record `systemctl stop` as the unit
// failing (and alerts on failed units fire). What it waited for is logged,
// since it would have kept the daemon from starting.
func stoppedStarting(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, context.Canceled)
}

// logStoppedStarting says the start was given up for a stop, and what it
// was waiting for when the stop came (err's text names it).
func logStoppedStarting(log *slog.Logger, err error) {
	log.Info("stopped while starting; the daemon did not start", "waiting_for", err.Error())
}

// loadConfigUnlessStopped is mustLoadConfig, given up when ctx ends first:
// reading the file may wait without end (a FIFO nobody writes to, a hung
// network file system), in a system call the stop cannot interrupt. Nothing
// is held yet, so the read is left behind; stopped reports that.
func loadConfigUnlessStopped(ctx context.Context, path string, e *env) (cfg *config.Config, ok, stopped bool) {
	type loaded struct {
		cfg *config.Config
		ok  bool
	}
	done := make(chan loaded, 1)
	go func() {
		cfg, ok := mustLoadConfig(path, e)
		done <- loaded{cfg, ok}
	}()
	select {
	case l := <-done:
		return l.cfg, l.ok, false
	case <-ctx.Done():
		select {
		case l := <-done: // read just as the stop came
			return l.cfg, l.ok, false
		default:
			return nil, false, true
		}
	}
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
