package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"sportel/config"
	"sportel/inquiry"
	"sportel/store/drivers"
)

// readOptions are what `tickets list` and `tickets show` were asked.
type readOptions struct {
	configPath, db    string
	asJSON            bool
	state, officer    string
	automated, failed bool
	sender, category  string
	since, until      string
	all               bool
}

// readTickets serves the reading subcommands. They open the store alone —
// no mailbox, no classifier, no secret needed with --db — and never create
// a database: a missing file is an error naming it, not an empty table.
func readTickets(ctx context.Context, sub string, pos []string, o readOptions, e *env) int {
	var (
		cfg  *config.Config
		opts drivers.Options
		loc  *time.Location
	)
	if o.db != "" {
		opts = drivers.Options{Driver: "sqlite", DSN: o.db}
		def := config.Default()
		l, err := time.LoadLocation(def.Tickets.Timezone)
		if err != nil {
			fmt.Fprintf(e.stderr, "sportel tickets %s: time zone %s: %v\n", sub, def.Tickets.Timezone, err)
			return 1
		}
		loc = l
	} else {
		c, ok := mustLoadConfigWith(o.configPath, e, config.ParseOptions{SecretsOptional: true})
		if !ok {
			return 1
		}
		cfg, loc = c, c.Tickets.Location
		opts = drivers.Options{Driver: c.Store.Driver, DSN: c.Store.DSN}
	}
	if err := mustExist(opts); err != nil {
		fmt.Fprintf(e.stderr, "sportel tickets %s: %v\n", sub, err)
		return 1
	}

	var (
		f      inquiry.TicketFilter
		window receivedWindow
	)
	switch sub {
	case "list":
		if len(pos) != 0 {
			fmt.Fprintf(e.stderr, "sportel tickets list: takes no arguments, got %q\n", strings.Join(pos, " "))
			return 2
		}
		if o.state != "" {
			st := inquiry.State(o.state)
			if !slices.Contains(listableStates(), st) {
				fmt.Fprintf(e.stderr, "sportel tickets list: unknown state %q (one of %s)\n", o.state, joinStates(listableStates()))
				return 2
			}
			f.States = []inquiry.State{st}
		}
		if o.officer != "" && cfg != nil {
			if _, ok := cfg.Officer(o.officer); !ok {
				fmt.Fprintf(e.stderr, "sportel tickets list: unknown officer %q (not in the configuration's officers)\n", o.officer)
				return 2
			}
		}
		f.OfficerID = o.officer
		f.SenderAddress = o.sender
		if o.category != "" {
			if f.Category = inquiry.Category(o.category); !f.Category.Valid() {
				fmt.Fprintf(e.stderr, "sportel tickets list: unknown category %q (document_request, press_inquiry or general_question)\n", o.category)
				return 2
			}
		}
		if len(f.States) == 0 && !o.all {
			// What is being worked; closed, bulk and spam only when asked.
			f.States = []inquiry.State{inquiry.Assigned, inquiry.Answered}
		}
		var err error
		if window.since, err = parseDay(o.since, loc, 0); err != nil {
			fmt.Fprintf(e.stderr, "sportel tickets list: --since: %v\n", err)
			return 2
		}
		if window.until, err = parseDay(o.until, loc, 1); err != nil {
			fmt.Fprintf(e.stderr, "sportel tickets list: --until: %v\n", err)
			return 2
		}
	case "show":
		if len(pos) != 1 {
			fmt.Fprintf(e.stderr, "sportel tickets show: want NUMBER\n")
			return 2
		}
	}

	st, err := drivers.Open(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel tickets %s: %v\n", sub, err)
		return 1
	}
	defer st.Close()
	switch {
	case sub == "show":
		err = showTicket(ctx, st, strings.ToUpper(pos[0]), e.stdout, o.asJSON, loc)
	case o.automated:
		err = listSetAside(ctx, st, e.stdout, o.asJSON, loc)
	case o.failed:
		err = listFailedJobs(ctx, st, e.stdout, o.asJSON, loc)
	default:
		err = listTickets(ctx, st, f, window, e.stdout, o.asJSON, loc)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel tickets %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// mustExist refuses a SQLite store whose file is not there: a reading
// command run from the wrong directory must not create and migrate an empty
// database and print an empty table.
func mustExist(opts drivers.Options) error {
	if opts.Driver != "sqlite" && opts.Driver != "" || opts.DSN == ":memory:" {
		return nil
	}
	if _, err := os.Stat(opts.DSN); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no database at %s: `sportel run` creates it; give the right --db, or run where the configuration's store.dsn points", opts.DSN)
		}
		return fmt.Errorf("database %s: %w", opts.DSN, err)
	}
	return nil
}

// receivedWindow keeps tickets received in [since, until); zero ends are
// open.
type receivedWindow struct{ since, until time.Time }

func (w receivedWindow) holds(t time.Time) bool {
	return (w.since.IsZero() || !t.Before(w.since)) && (w.until.IsZero() || t.Before(w.until))
}

// parseDay reads an ISO date as the start of that day in loc, plus
// addDays days ("" gives the zero time).
func parseDay(s string, loc *time.Location, addDays int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-12-01", s)
	}
	return d.AddDate(0, 0, addDays), nil
}
