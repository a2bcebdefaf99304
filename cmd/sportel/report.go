package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"sportel/config"
	"sportel/inquiry"
	"sportel/report"
	"sportel/store"
)

const reportHelp = `The division's reports, from the tickets in the store.

  sportel report access-documents --year 2026 [--format text|csv|json|html]
      the annual report on the Law on Access to Public Documents: document requests received
      in the year (in tickets.timezone) by month and channel, outcomes, refusal grounds,
      decided on time or late, refused by silence, extended, urgent, median and
      90th-percentile days to decision, pending, complaints to the Agency; html is one
      self-contained page (no scripts, nothing loaded from elsewhere) with charts of the
      months by outcome and of the deadline kept, for the browser or printing on A4:
        sportel report access-documents --year 2026 --format html > report-2026.html
  sportel report inbox --from 2026-01-01 --to 2026-03-31 [--format text|csv|json]
      tickets received in the period (both days included) by category, channel, language
      and officer, and the time to answer

A decision counts from when it reached the requester (the decision notice, or the answer
that carried it). Median and percentile days are null in JSON and empty in CSV when no
request was decided. CSV is one long table, section,key,value. Every form takes --config FILE (default sportel.yaml;
its secrets are not needed), or --db PATH (a SQLite database file) or --dsn DSN (a PostgreSQL
store) with the default time zone and refusal grounds; the store is opened read-only.`

func cmdReport(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, reportHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	// Before the flags: "report --year 2026 access-documents" names no
	// report, which its flags' errors would not say.
	if sub != "access-documents" && sub != "inbox" {
		fmt.Fprintf(e.stderr, "sportel report: unknown report %q\n\n%s\n", sub, reportHelp)
		return 2
	}
	fs := newFlags("report "+sub, reportHelp, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file (its secrets are not needed)")
	db := fs.String("db", "", "read this SQLite database file instead (needs no configuration)")
	dsn := fs.String("dsn", "", "read this PostgreSQL store instead (a libpq string or postgres:// URL)")
	format := fs.String("format", "text", "text, csv, json or html (access-documents only)")
	year := fs.Int("year", 0, "access-documents: the year (default: this year)")
	from := fs.String("from", "", "inbox: the first day, like 2026-01-01")
	to := fs.String("to", "", "inbox: the last day, like 2026-03-31 (default: today)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "sportel report %s: unexpected argument %q\n", sub, fs.Arg(0))
		return 2
	}
	own := map[string][]string{"access-documents": {"year"}, "inbox": {"from", "to"}}[sub]
	if f := foreignFlag(fs, append([]string{"config", "db", "dsn", "format"}, own...)...); f != "" {
		fmt.Fprintf(e.stderr, "sportel report %s: --%s is not a flag of this report (see sportel report --help)\n", sub, f)
		return 2
	}
	if !report.ValidFormat(*format) || (sub == "inbox" && *format == "html") {
		want := "text, csv, json or html"
		if sub == "inbox" {
			want = "text, csv or json"
		}
		fmt.Fprintf(e.stderr, "sportel report %s: --format %q: want %s\n", sub, *format, want)
		return 2
	}
	// The report's own arguments are checked before the store is opened: a
	// wrong one is a usage error (exit 2) whether or not the store is there.
	// An explicit --year 0 is no year, not "this year".
	yearGiven := false
	fs.Visit(func(f *flag.Flag) { yearGiven = yearGiven || f.Name == "year" })
	if sub == "access-documents" && yearGiven && (*year < 1 || *year > 9999) {
		fmt.Fprintf(e.stderr, "sportel report %s: --year %d is not a year\n", sub, *year)
		return 2
	}
	// `date +%y` for `date +%Y` in a cron line: the report of the year 26
	// would be an empty annual report, exit 0, every year.
	if sub == "access-documents" && yearGiven && *year < 1000 {
		fmt.Fprintf(e.stderr, "sportel report %s: --year %d: write the year in full, like %d\n", sub, *year, time.Now().Year())
		return 2
	}
	if sub == "inbox" {
		// The days alone, without the store's time zone (an omitted --to
		// stands in as --from here); reportPeriod reads them in it below.
		if _, _, err := reportPeriod(*from, cmp.Or(*to, *from), time.Time{}, time.UTC); err != nil {
			fmt.Fprintf(e.stderr, "sportel report %s: %s\n", sub, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
			return 2
		}
	}
	rs, code, ok := openReadStore(ctx, "report "+sub, *path, *db, *dsn, e)
	if !ok {
		return code
	}
	defer rs.st.Close()
	loc, grounds := rs.loc, config.Default().Tickets.RefusalGrounds
	if rs.cfg != nil {
		grounds = rs.cfg.Tickets.RefusalGrounds
	}
	now := time.Now()
	var write func() error
	var c ticketCounter
	switch sub {
	case "access-documents":
		y := *year
		if y == 0 {
			y = now.In(loc).Year()
		}
		// As the inbox report's days to come: an all-zero annual report
		// of a mistyped year is no answer.
		if this := now.In(loc).Year(); y > this {
			fmt.Fprintf(e.stderr, "sportel report %s: --year %d is after this year (%d); a report of a year to come has nothing in it\n", sub, y, this)
			return 2
		}
		access := report.NewAccessCounter(y, loc, now)
		c = access
		write = func() error {
			r := access.Report()
			r.GroundLabels = make(map[string]string, len(grounds))
			for _, g := range grounds {
				r.GroundLabels[g.ID] = g.Label.SQ
			}
			return r.Write(e.stdout, *format)
		}
	case "inbox":
		first, last, err := reportPeriod(*from, *to, now, loc)
		if err != nil {
			fmt.Fprintf(e.stderr, "sportel report %s: %s\n", sub, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
			return 2
		}
		inbox := report.NewInboxCounter(first, last, loc)
		c = inbox
		write = func() error { return inbox.Report().Write(e.stdout, *format) }
	}
	if err := countTickets(ctx, rs.st, c); err != nil {
		fmt.Fprintf(e.stderr, "sportel report %s: %v\n", sub, err)
		return 1
	}
	if err := write(); err != nil {
		fmt.Fprintf(e.stderr, "sportel report %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// ticketCounter is a report computed one ticket at a time (report's
// AccessCounter, InboxCounter, WeeklyCounter).
type ticketCounter interface {
	Filter() inquiry.TicketFilter
	Add(inquiry.Ticket)
}

// countTickets hands c the tickets of its period, as they are read: only
// the period's tickets are read, and one is held at a time, so a report
// costs the same after ten years of tickets as after one.
func countTickets(ctx context.Context, st store.Reader, c ticketCounter) error {
	err := st.EachTicket(ctx, c.Filter(), func(t inquiry.Ticket) error {
		c.Add(t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading tickets: %w", err)
	}
	return nil
}

// reportPeriod parses --from and --to as days in loc; --to defaults to today.
func reportPeriod(from, to string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	if from == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --from is required, like --from 2026-01-01", errUsage)
	}
	first, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --from %q is not a day like 2026-01-01", errUsage, from)
	}
	last := now.In(loc)
	if to != "" {
		if last, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("%w: --to %q is not a day like 2026-03-31", errUsage, to)
		}
	}
	if !now.IsZero() && first.After(now.In(loc)) {
		// With --to too: a period that has not begun has nothing in it.
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --from %s is after today; a report of days to come has nothing in it", errUsage, from)
	}
	if last.Before(first) {
		if to == "" {
			// --to was left out: it is today, which the user did not write.
			return time.Time{}, time.Time{}, fmt.Errorf("%w: --from %s is after today; a report of days to come has nothing in it", errUsage, from)
		}
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --to is before --from", errUsage)
	}
	return first, last, nil
}
