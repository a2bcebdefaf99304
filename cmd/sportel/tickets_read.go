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

// readStore is what a reading command opened: the store, read-only, and
// the configuration when one was loaded (nil with --db or --dsn).
type readStore struct {
	st  drivers.ReadStore
	cfg *config.Config
	loc *time.Location
}

// openReadStore opens the store a reading command names: --db (SQLite) or
// --dsn (PostgreSQL) without any configuration, else the configuration's
// store, loaded without its secrets. It never creates or migrates a
// database; ok false means the error is printed and code is the exit code.
func openReadStore(ctx context.Context, name, configPath, db, dsn string, e *env) (rs readStore, code int, ok bool) {
	var opts drivers.Options
	switch {
	case db != "" && dsn != "":
		fmt.Fprintf(e.stderr, "sportel %s: give --db or --dsn, not both\n", name)
		return rs, 2, false
	case db != "" || dsn != "":
		opts = drivers.Options{Driver: "sqlite", DSN: db}
		if dsn != "" {
			opts = drivers.Options{Driver: "postgres", DSN: dsn}
		}
		def := config.Default()
		loc, err := time.LoadLocation(def.Tickets.Timezone)
		if err != nil {
			fmt.Fprintf(e.stderr, "sportel %s: time zone %s: %v\n", name, def.Tickets.Timezone, err)
			return rs, 1, false
		}
		rs.loc = loc
	default:
		cfg, ok := mustLoadConfigWith(configPath, e, config.ParseOptions{SecretsOptional: true})
		if !ok {
			return rs, 1, false
		}
		rs.cfg, rs.loc = cfg, cfg.Tickets.Location
		opts = drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN}
	}
	st, err := drivers.OpenReadOnly(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel %s: %v\n", name, err)
		return rs, 1, false
	}
	rs.st = st
	return rs, 0, true
}

// readTickets serves the reading subcommands. They open the store alone,
// read-only — no mailbox, no classifier, no secret — and never create or
// upgrade a database: a missing file is an error naming it, not an empty
// table. Arguments and filters are checked before the store is opened.
func readTickets(ctx context.Context, sub string, pos []string, o ticketOpts, e *env) int {
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(e.stderr, "sportel tickets "+sub+": "+format+"\n", args...)
		return code
	}
	switch sub {
	case "list":
		if len(pos) != 0 {
			return fail(2, "takes no arguments, got %q", strings.Join(pos, " "))
		}
	case "show":
		if len(pos) != 1 {
			return fail(2, "want NUMBER")
		}
	case "attachment":
		if len(pos) < 1 || len(pos) > 2 {
			return fail(2, "want NUMBER [INDEX]")
		}
		if len(pos) == 2 && o.out == "" {
			return fail(2, "name the file to write with -o FILE (- for standard output)")
		}
		if len(pos) == 1 && (o.out != "" || o.force) {
			return fail(2, "-o and --force need an INDEX (run without them to list the attachments)")
		}
	}
	var f inquiry.TicketFilter
	if sub == "list" {
		if o.limit < 0 {
			return fail(2, "--limit %d: give 0 (all) or more", o.limit)
		}
		if o.state != "" {
			st := inquiry.State(o.state)
			if !slices.Contains(listableStates(), st) {
				return fail(2, "unknown state %q (one of %s)", o.state, joinStates(listableStates()))
			}
			f.States = []inquiry.State{st}
		}
		f.OfficerID, f.SenderAddress, f.Text = o.officer, o.sender, o.text
		if o.category != "" {
			if f.Category = inquiry.Category(o.category); !f.Category.Valid() {
				return fail(2, "unknown category %q (document_request, press_inquiry or general_question)", o.category)
			}
		}
		if len(f.States) == 0 && !o.all {
			// What is being worked; closed, bulk and spam only when asked.
			f.States = []inquiry.State{inquiry.Assigned, inquiry.Answered}
		}
	}

	rs, code, ok := openReadStore(ctx, "tickets "+sub, o.config, o.db, o.dsn, e)
	if !ok {
		return code
	}
	defer rs.st.Close()
	loc := rs.loc
	if sub == "list" {
		if o.officer != "" && rs.cfg != nil {
			if _, ok := rs.cfg.Officer(o.officer); !ok {
				return fail(2, "unknown officer %q (not in the configuration's officers)", o.officer)
			}
		} else if o.officer != "" {
			// Without the configuration, an officer is known by the tickets
			// they were given.
			ts, err := rs.st.ListTickets(ctx, inquiry.TicketFilter{OfficerID: o.officer, Limit: 1})
			if err != nil {
				return fail(1, "%v", err)
			}
			if len(ts) == 0 {
				return fail(2, "unknown officer %q (no ticket in the store was ever theirs; --config checks the configuration's officers)", o.officer)
			}
		}
		var err error
		if f.ReceivedFrom, err = parseDay(o.since, loc, 0); err != nil {
			return fail(2, "--since: %v", err)
		}
		if f.ReceivedBefore, err = parseDay(o.until, loc, 1); err != nil {
			return fail(2, "--until: %v", err)
		}
	}
	var err error
	switch {
	case sub == "show":
		err = showTicket(ctx, rs.st, strings.ToUpper(pos[0]), e.stdout, o.asJSON, loc)
	case sub == "attachment":
		err = ticketAttachment(ctx, rs.st, pos, o.out, o.force, e, loc)
	case o.automated:
		err = listSetAside(ctx, rs.st, o.limit, e.stdout, e.stderr, o.asJSON, loc)
	case o.failed:
		err = listFailedJobs(ctx, rs.st, o.limit, e.stdout, e.stderr, o.asJSON, loc)
	default:
		err = listTickets(ctx, rs.st, f, o.limit, e.stdout, e.stderr, o.asJSON, loc)
	}
	if err != nil {
		code := 1
		if errors.As(err, new(usageError)) {
			code = 2
		}
		return fail(code, "%v", err)
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
