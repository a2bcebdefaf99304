package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/metrics"
)

func cmdRun(ctx context.Context, args []string, e *env) int {
	fs := newFlags("run", commands()["run"].summary, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := mustLoadConfig(*path, e)
	if !ok {
		return 1
	}
	log := newLogger(cfg.Log, os.Stderr)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	if err := a.serve(ctx); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped cleanly")
	return 0
}

// serve runs the IMAP watcher and the outbox until ctx is done, then lets
// work in flight finish.
func (a *app) serve(ctx context.Context) error {
	watcher, err := a.newWatcher()
	if err != nil {
		return err
	}
	m, err := a.newMailer()
	if err != nil {
		return err
	}
	defer m.Close()
	var chat desk.ChatSender
	runners := map[string]func(context.Context) error{"imap": watcher.Run}
	if a.cfg.Telegram != nil {
		lc := &lazyChat{}
		chat = lc
		runners["telegram"] = func(ctx context.Context) error { return a.runTelegram(ctx, lc) }
	}
	outbox := a.newOutbox(m, chat)
	runners["outbox"] = outbox.Run
	if a.cfg.Metrics.Listen != "" {
		met := metrics.New()
		a.metrics = met
		outbox.Sent = func(j inquiry.Job) { met.Sent(string(j.Kind)) }
		outbox.Failed = func(j inquiry.Job, _ error, final bool) { met.SendFailed(string(j.Kind), final) }
		met.Gauge("sportel_imap_last_good_fetch_timestamp_seconds", "Unix time of the last successful IMAP fetch (0: none yet).", func() float64 {
			if t := watcher.Stats().LastGoodFetch; !t.IsZero() {
				return float64(t.UnixNano()) / 1e9
			}
			return 0
		})
		met.Counter("sportel_imap_errors_total", "IMAP connection or command failures.", func() float64 { return float64(watcher.Stats().Errors) })
		runners["metrics"] = func(ctx context.Context) error { return met.Serve(ctx, a.cfg.Metrics.Listen, a.log) }
	}
	a.log.Info("sportel running", "mailbox", a.cfg.Mailbox.Address, "imap", a.cfg.IMAP.Addr,
		"smtp", a.cfg.SMTP.Addr, "store", a.cfg.Store.Driver, "classifier", a.cfg.Classifier.Kind,
		"officers", len(a.cfg.Officers), "telegram", a.cfg.Telegram != nil)

	var wg sync.WaitGroup
	errs := make(chan error, len(runners))
	for name, run := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return errors.Join(collect(errs)...)
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}
