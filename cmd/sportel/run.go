package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
)

func cmdRun(ctx context.Context, args []string, e *env) int {
	fs := newFlags("run", commands()["run"].summary, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := loadConfig(*path, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: configuration has errors:\n%v\n", *path, err)
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
	outbox := a.newOutbox(m, nil)
	a.log.Info("sportel running", "mailbox", a.cfg.Mailbox.Address, "imap", a.cfg.IMAP.Addr,
		"smtp", a.cfg.SMTP.Addr, "store", a.cfg.Store.Driver, "classifier", a.cfg.Classifier.Kind,
		"officers", len(a.cfg.Officers), "telegram", a.cfg.Telegram != nil)

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for name, run := range map[string]func(context.Context) error{"imap": watcher.Run, "outbox": outbox.Run} {
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
