package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"sportel/app"
	"sportel/internal/buildinfo"
)

func cmdRun(ctx context.Context, args []string, e *env) int {
	// Caught before anything else, so a SIGHUP while the configuration is
	// read does not kill the daemon either.
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
	log := app.NewLogger(cfg.Log, os.Stderr)
	hup.warn(log)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	a.SetBuild(buildinfo.Read(version))
	if err := a.Run(ctx); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped cleanly")
	return 0
}

// hangups keeps SIGHUP, whose default action ends the process, from
// stopping the daemon: operators send it expecting a reload, which Sportel
// cannot do yet.
type hangups struct {
	sigs chan os.Signal
	done chan struct{}
}

// catchHangups starts catching SIGHUP; until warn is called they are held.
func catchHangups() *hangups {
	h := &hangups{sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(h.sigs, syscall.SIGHUP)
	return h
}

// warn logs every SIGHUP, held or to come, until stop.
func (h *hangups) warn(log *slog.Logger) {
	go func() {
		for {
			select {
			case <-h.sigs:
				log.Warn("SIGHUP: reloading the configuration is not supported yet; restart to apply changes")
			case <-h.done:
				return
			}
		}
	}()
}

// stop restores SIGHUP's default action.
func (h *hangups) stop() {
	signal.Stop(h.sigs)
	close(h.done)
}
