package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"sportel/calendar"
	"sportel/config"
)

const calendarHelp = `Kosovo's working calendar and the legal clock of a document request.

  sportel calendar due --received 2026-12-24T16:00 [--count calendar|working] [--urgent] [--extend N] [--not-held]
      the due moment (RFC 3339) and the days counted; --extend N (1-15) extends the deadline,
      --urgent gives the 48 hours of an urgent request, --not-held the 5 working days to say
      a document is not held
  sportel calendar holidays [--year 2027]
      the year's days off, one a line: ISO date, name, and whether it is shifted off a weekend

--received is local time in the configured time zone (Europe/Belgrade), or RFC 3339 with an
offset. Neither needs a configuration; with --config FILE they use its tickets settings
(deadline_count, the calendar's Eid dates and days off, office_hours_end).`

// errUsage marks a mistake in the command line (exit 2), unlike a
// configuration that does not load (exit 1).
var errUsage = errors.New("usage")

func cmdCalendar(_ context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, calendarHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	fs := newFlags("calendar "+sub, calendarHelp, "", e)
	path := fs.String("config", "", "configuration file (optional: its tickets and calendar settings)")
	received := fs.String("received", "", "due: when the request was received, like 2026-12-24T16:00")
	count := fs.String("count", "", "due: calendar or working days (default: the configured tickets.deadline_count)")
	urgent := fs.Bool("urgent", false, "due: an urgent request (48 hours)")
	extend := fs.Int("extend", 0, "due: extend the deadline by this many days (1-15)")
	notHeld := fs.Bool("not-held", false, "due: the time to say the document is not held (5 working days)")
	year := fs.Int("year", 0, "holidays: the year (default: this year)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "sportel calendar %s: unexpected argument %q\n", sub, fs.Arg(0))
		return 2
	}
	own := map[string][]string{"due": {"received", "count", "urgent", "extend", "not-held"}, "holidays": {"year"}}[sub]
	if f := foreignFlag(fs, append([]string{"config"}, own...)...); f != "" && own != nil {
		fmt.Fprintf(e.stderr, "sportel calendar %s: --%s is not a flag of this subcommand (see sportel calendar --help)\n", sub, f)
		return 2
	}
	if sub == "due" && *urgent && *count != "" {
		// 48 hours of clock time: days are not counted at all.
		fmt.Fprintf(e.stderr, "sportel calendar due: --count does not apply to an urgent request (48 hours of clock time)\n")
		return 2
	}
	tickets, ok := calendarSettings(*path, e)
	if !ok {
		return 1
	}
	rules := tickets.DeadlineRules()
	var err error
	switch sub {
	case "due":
		err = printDue(e.stdout, e.stderr, rules, dueRequest{*received, *count, *urgent, *extend, *notHeld})
	case "holidays":
		y := *year
		if y == 0 {
			y = time.Now().In(rules.Location).Year()
		}
		if y < 1 || y > 9999 {
			err = fmt.Errorf("%w: --year %d is not a year", errUsage, y)
			break
		}
		printHolidays(e.stdout, e.stderr, rules.Calendar, y)
	default:
		fmt.Fprintf(e.stderr, "sportel calendar: unknown subcommand %q\n\n%s\n", sub, calendarHelp)
		return 2
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel calendar %s: %s\n", sub, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// calendarSettings is the tickets section of the configuration at path, or
// the defaults when there is none.
func calendarSettings(path string, e *env) (*config.TicketsConfig, bool) {
	if path != "" {
		// Only the tickets settings are used: no secret is needed.
		cfg, ok := mustLoadConfigWith(path, e, config.ParseOptions{SecretsOptional: true})
		if !ok {
			return nil, false
		}
		return &cfg.Tickets, true
	}
	t := config.Default().Tickets
	loc, err := time.LoadLocation(t.Timezone)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel calendar: time zone %s: %v\n", t.Timezone, err)
		return nil, false
	}
	t.Location = loc
	return &t, true
}

type dueRequest struct {
	received string
	count    string
	urgent   bool
	extend   int
	notHeld  bool
}

// receivedLayouts are the forms --received takes: local time without an
// offset, or RFC 3339.
var receivedLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"}

func parseReceived(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range receivedLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: --received %q is not a time like 2026-12-24T16:00", errUsage, s)
}

func printDue(w, warn io.Writer, rules calendar.Rules, req dueRequest) error {
	if req.received == "" {
		return fmt.Errorf("%w: --received is required, like --received 2026-12-24T16:00", errUsage)
	}
	received, err := parseReceived(req.received, rules.Location)
	if err != nil {
		return err
	}
	if req.count != "" {
		c, err := calendar.ParseCount(req.count)
		if err != nil {
			return fmt.Errorf("%w: --count: %v", errUsage, err)
		}
		rules.Count = c
	}
	if n := btoi(req.urgent) + btoi(req.notHeld) + btoi(req.extend != 0); n > 1 {
		return fmt.Errorf("%w: give one of --urgent, --extend, --not-held", errUsage)
	}
	if req.extend != 0 && (req.extend < 1 || req.extend > calendar.MaxExtensionDays) {
		return fmt.Errorf("%w: --extend %d: an extension is 1 to %d days", errUsage, req.extend, calendar.MaxExtensionDays)
	}
	var due calendar.Due
	var lines []string
	switch {
	case req.urgent:
		due = rules.Urgent(received)
		lines = append(lines, fmt.Sprintf("counted:    %d hours of clock time (urgent), days off included", calendar.UrgentHours))
	case req.notHeld:
		due = rules.NotHeld(received)
		lines = append(lines, "counted:    "+counted(due)+" (not held)")
	default:
		if due, err = rules.Deadline(received); err != nil {
			return err
		}
		lines = append(lines, "counted:    "+counted(due))
		if req.extend != 0 {
			orig := due
			if due, err = rules.Extend(orig, req.extend); err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("extended:   from %s by %s", orig.At.Format(time.RFC3339), counted(due)))
		}
	}
	fmt.Fprintln(w, due.At.Format(time.RFC3339))
	fmt.Fprintf(w, "registered: %s\n", due.Registered.Format(time.RFC3339))
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	for _, s := range due.Warnings {
		fmt.Fprintf(warn, "sportel calendar: warning: %s (tickets.calendar)\n", s)
	}
	return nil
}

// counted says which days a deadline counted and where a day off moved it.
func counted(due calendar.Due) string {
	days := make([]string, len(due.Counted))
	for i, d := range due.Counted {
		days[i] = d.String()
	}
	s := fmt.Sprintf("%d %s days: %s", due.Days, due.Count, strings.Join(days, " "))
	if due.MovedFrom != (calendar.Date{}) {
		s += fmt.Sprintf("; %s is a day off, moved to %s", due.MovedFrom, calendar.DateOf(due.At))
	}
	return s
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func printHolidays(w, warn io.Writer, cal *calendar.Calendar, year int) {
	for _, h := range cal.Holidays(year) {
		line := h.Date.String() + "  " + h.Name
		switch {
		case h.Shifted():
			line += fmt.Sprintf("  (shifted: in place of %s, a %s)", h.ShiftedFrom, h.ShiftedFrom.Weekday())
		case h.Weekend:
			line += fmt.Sprintf("  (on a %s; the next working day is off)", h.Date.Weekday())
		}
		fmt.Fprintln(w, line)
	}
	for _, s := range cal.Missing(year) {
		fmt.Fprintf(warn, "sportel calendar: warning: %s (tickets.calendar)\n", s)
	}
}
