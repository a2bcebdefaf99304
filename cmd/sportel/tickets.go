package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"sportel/app"
	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/textsafe"
	"sportel/store"
	"sportel/store/drivers"
)

// ticketsCmd is one `sportel tickets` subcommand: its own usage line and
// its own flags, so `sportel tickets show --help` lists only show's.
type ticketsCmd struct {
	name    string
	args    string // what follows the flags in the usage line
	summary string
	// read: the subcommand only reads, from a store opened read-only, and
	// takes --db or --dsn instead of --config.
	read  bool
	flags func(fs *flag.FlagSet, o *ticketOpts)
}

// ticketOpts holds every subcommand's flags; each registers its own.
type ticketOpts struct {
	config, db, dsn                                      string
	asJSON                                               bool
	state, officer, sender, category, since, until, text string
	all, automated, failed                               bool
	limit                                                int
	outcome, note, ground                                string
	off, inAnswer                                        bool
	out                                                  string
	force                                                bool
}

func ticketsCmds() []ticketsCmd {
	jsonFlag := func(fs *flag.FlagSet, o *ticketOpts) { fs.BoolVar(&o.asJSON, "json", false, "print JSON") }
	return []ticketsCmd{
		{name: "list", read: true, summary: "List tickets: by default the open ones (assigned, answered), oldest first.",
			flags: func(fs *flag.FlagSet, o *ticketOpts) {
				jsonFlag(fs, o)
				fs.StringVar(&o.state, "state", "", "only tickets in this state ("+joinStates(listableStates())+")")
				fs.StringVar(&o.officer, "officer", "", "only this officer's tickets (an id from the configuration)")
				fs.StringVar(&o.sender, "sender", "", "only tickets from this address")
				fs.StringVar(&o.category, "category", "", "only this category (document_request, press_inquiry, general_question)")
				fs.StringVar(&o.since, "since", "", "only tickets received on or after this day (2026-12-01, in tickets.timezone)")
				fs.StringVar(&o.until, "until", "", "only tickets received on or before this day")
				fs.StringVar(&o.text, "text", "", "only tickets whose subject or messages hold every one of these words\n"+
					"(case and diacritics ignored: pergjigje finds përgjigje; the last word may be the start of one)")
				fs.BoolVar(&o.all, "all", false, "closed, bulk and spam tickets too (hidden by default)")
				fs.BoolVar(&o.automated, "automated", false, "instead: machine mail and quarantined mail that made no ticket")
				fs.BoolVar(&o.failed, "failed-jobs", false, "instead: sends that failed for good")
				fs.IntVar(&o.limit, "limit", defaultListLimit, "list at most this many (0: all); a note on standard error says when more match")
			}},
		{name: "show", args: "NUMBER", read: true, summary: "Show a ticket: its record (messages, answers, notes) and its sends.", flags: jsonFlag},
		{name: "attachment", args: "NUMBER [INDEX]", read: true,
			summary: "List a ticket's attachments, or with INDEX write one to the file -o names (0600; - for standard output).",
			flags: func(fs *flag.FlagSet, o *ticketOpts) {
				fs.StringVar(&o.out, "o", "", "the file to write the attachment to (must not exist, unless --force)")
				fs.BoolVar(&o.force, "force", false, "overwrite the file -o names")
			}},
		{name: "assign", args: "NUMBER OFFICER", summary: "Assign a ticket to another officer; they are notified when `sportel run` sends the outbox."},
		{name: "spam", args: "NUMBER", summary: "Mark a ticket as spam."},
		{name: "note", args: "NUMBER TEXT...", summary: "Add an internal note to a ticket's record (seen by officers only; sends nothing)."},
		{name: "urgent", args: "NUMBER", summary: "Mark a document request urgent (48 hours), or with --off no longer urgent.",
			flags: func(fs *flag.FlagSet, o *ticketOpts) { fs.BoolVar(&o.off, "off", false, "clear the flag") }},
		{name: "extend", args: "NUMBER DAYS REASON...", summary: "Extend a document request's deadline (at most 15 days); the requester is told."},
		{name: "not-held", args: "NUMBER [HOLDER...]", summary: "Record that the ministry does not hold the document, naming who does; the requester is told."},
		{name: "close", args: "NUMBER OUTCOME [GROUND]", summary: "Close a ticket with its outcome.\n\n" + outcomesHelp,
			flags: func(fs *flag.FlagSet, o *ticketOpts) {
				fs.StringVar(&o.outcome, "outcome", "", "the outcome, instead of OUTCOME")
				fs.StringVar(&o.ground, "ground", "", "the refusal ground's id, instead of GROUND")
				fs.BoolVar(&o.inAnswer, "in-answer", false, "the decision went out in the answer already relayed: no decision notice")
				fs.StringVar(&o.note, "note", "", "a note for the record")
			}},
		{name: "reopen", args: "NUMBER", summary: "Reopen a closed ticket, or take one kept as bulk mail or spam into the work."},
		{name: "complaint", args: "NUMBER DATE [NOTE...]", summary: "Record a complaint to the Information and Privacy Agency made on DATE (2026-12-01)."},
		{name: "retry-failed", args: "JOB_ID... | --all", summary: "Make failed sends pending again (the same mail, same Message-ID); `sportel run` sends them.",
			flags: func(fs *flag.FlagSet, o *ticketOpts) { fs.BoolVar(&o.all, "all", false, "every failed job") }},
	}
}

// ticketsHelp lists the subcommands with their usage lines.
func ticketsHelp() string {
	var b strings.Builder
	b.WriteString("Work tickets from the command line: sportel tickets SUBCOMMAND [flags] ARGS\n\n")
	for _, c := range ticketsCmds() {
		first, _, _ := strings.Cut(c.summary, "\n")
		fmt.Fprintf(&b, "  %s %s\n      %s\n", c.name, c.args, first)
	}
	b.WriteString(`
Reading (list, show, attachment) takes --config FILE (default sportel.yaml;
its secrets are not needed), --db PATH (a SQLite database file) or --dsn DSN
(a PostgreSQL store), opens the store read-only and never creates or
upgrades a database. The others take --config FILE and write to the store;
what they send goes out when ` + "`sportel run`" + ` sends the outbox.
Run 'sportel tickets SUBCOMMAND --help' for its flags.`)
	return b.String()
}

func cmdTickets(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, ticketsHelp())
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	i := slices.IndexFunc(ticketsCmds(), func(c ticketsCmd) bool { return c.name == sub })
	if i < 0 {
		fmt.Fprintf(e.stderr, "sportel tickets: unknown subcommand %q\n\n%s\n", sub, ticketsHelp())
		return 2
	}
	c := ticketsCmds()[i]
	fs := newFlags("tickets "+sub, c.summary, c.args, e)
	var o ticketOpts
	if c.read {
		fs.StringVar(&o.config, "config", "sportel.yaml", "configuration file (its secrets are not needed)")
		fs.StringVar(&o.db, "db", "", "read this SQLite database file instead (needs no configuration)")
		fs.StringVar(&o.dsn, "dsn", "", "read this PostgreSQL store instead (a libpq string or postgres:// URL; the password from ~/.pgpass or PGPASSWORD)")
	} else {
		fs.StringVar(&o.config, "config", "sportel.yaml", "configuration file (its secrets are not needed)")
	}
	if c.flags != nil {
		c.flags(fs, &o)
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if c.read {
		return readTickets(ctx, sub, fs.Args(), o, e)
	}
	return writeTickets(ctx, sub, fs.Args(), o, e)
}

// writeTickets runs the subcommands that change tickets. They write to the
// store only: what they cause to be sent waits in the outbox for `sportel
// run`, so they need none of the daemon's secrets.
func writeTickets(ctx context.Context, sub string, pos []string, o ticketOpts, e *env) int {
	cfg, ok := mustLoadConfigWith(o.config, e, config.ParseOptions{SecretsOptional: true})
	if !ok {
		return 1
	}
	if err := mustExist(drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN}); err != nil {
		fmt.Fprintf(e.stderr, "sportel tickets %s: %v\n", sub, err)
		return 1
	}
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.Log, os.Stderr))
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel: %v\n", err)
		return 1
	}
	defer a.Close()
	need := func(n int, what string) error {
		if len(pos) != n {
			return usageError{"want " + what}
		}
		return nil
	}
	by := "cli:" + currentUser()
	switch sub {
	case "assign":
		if err = need(2, "NUMBER OFFICER"); err == nil {
			var t inquiry.Ticket
			if t, err = a.Desk().Assign(ctx, strings.ToUpper(pos[0]), pos[1], by); err == nil {
				fmt.Fprintf(e.stdout, "%s assigned to %s; they are notified when `sportel run` sends the outbox\n", t.Number, t.OfficerID)
			}
		}
	case "spam":
		if err = need(1, "NUMBER"); err == nil {
			var t inquiry.Ticket
			if t, err = a.Desk().MarkSpam(ctx, strings.ToUpper(pos[0]), by); err == nil {
				fmt.Fprintf(e.stdout, "%s marked as spam\n", t.Number)
			}
		}
	case "note":
		if len(pos) < 2 {
			err = usageError{"want NUMBER TEXT"}
			break
		}
		var t inquiry.Ticket
		if t, err = a.Desk().Note(ctx, strings.ToUpper(pos[0]), by, strings.Join(pos[1:], " ")); err == nil {
			fmt.Fprintf(e.stdout, "%s: note added by %s\n", t.Number, by)
		}
	case "retry-failed":
		err = retryFailed(ctx, a.Store(), pos, o.all, e.stdout, time.Now())
	default:
		lf := lifecycleFlags{off: &o.off, ground: &o.ground, inAnswer: &o.inAnswer}
		_, err = ticketAction(ctx, a.Desk(), sub, pos, o.outcome, o.note, lf, by, cfg.Tickets.Location, e.stdout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel tickets %s: %v\n", sub, err)
		if errors.As(err, new(usageError)) {
			return 2
		}
		return 1
	}
	return 0
}

// listableStates are the states `tickets list --state` accepts.
func listableStates() []inquiry.State {
	return []inquiry.State{inquiry.Assigned, inquiry.Answered, inquiry.Closed, inquiry.BulkMail, inquiry.SpamMail}
}

func joinStates(states []inquiry.State) string {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// currentUser names who runs the command for the audit trail: the person
// behind sudo first (the database belongs to the service user, so
// operators run `sudo -u sportel sportel tickets …`), else the OS user.
func currentUser() string {
	return auditUser(os.Getenv, user.Current)
}

func auditUser(getenv func(string) string, current func() (*user.User, error)) string {
	if u := getenv("SUDO_USER"); u != "" {
		return u
	}
	if u, err := current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// defaultListLimit bounds a listing unless --limit says otherwise: years
// of tickets, or a relay's week-long outage of failed sends, must not be
// read into memory and printed because someone forgot a filter.
const defaultListLimit = 500

// listed is a listing's page: at most limit items, and whether more
// matched (the store was asked for one more than the limit).
func listed[T any](items []T, limit int) (page []T, more bool) {
	if limit > 0 && len(items) > limit {
		return items[:limit], true
	}
	return items, false
}

// fetchLimit is what to ask the store for to learn whether more than
// limit match (0: all).
func fetchLimit(limit int) int {
	if limit <= 0 {
		return 0
	}
	return limit + 1
}

// noteMore tells, on standard error so JSON on standard output stays
// whole, that a listing was cut at limit.
func noteMore(w io.Writer, more bool, limit int, what string) {
	if more {
		fmt.Fprintf(w, "only the first %d %s are shown; more match: narrow the listing, or give --limit 0 for all\n", limit, what)
	}
}

func listTickets(ctx context.Context, st store.Reader, f inquiry.TicketFilter, limit int, w, errw io.Writer, asJSON bool, loc *time.Location) error {
	f.Limit = fetchLimit(limit)
	all, err := st.ListTickets(ctx, f)
	if err != nil {
		return err
	}
	ts, more := listed(all, limit)
	defer noteMore(errw, more, limit, "tickets")
	if ts == nil {
		ts = []inquiry.Ticket{} // [] in JSON when nothing matches, not null
	}
	if asJSON {
		inZone(ts, loc)
		return writeJSON(w, ts)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tRECEIVED\tSTATE\tCATEGORY\tLANG\tOFFICER\tDUE\tSENDER\tSUBJECT")
	for _, t := range ts {
		due := ""
		if !t.DueAt.IsZero() {
			due = t.DueAt.In(loc).Format("2006-01-02")
		}
		state := string(t.State)
		if t.NeedsReview {
			state += " (review)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Number, t.ReceivedAt.In(loc).Format("2006-01-02 15:04"),
			state, t.Category, t.Language, t.OfficerID, due, textsafe.Line(t.Sender.Address), clip(t.Subject, 50))
	}
	return tw.Flush()
}

func listSetAside(ctx context.Context, st store.Reader, limit int, w, errw io.Writer, asJSON bool, loc *time.Location) error {
	all, err := st.ListSetAside(ctx, "", fetchLimit(limit))
	if err != nil {
		return err
	}
	items, more := listed(all, limit)
	defer noteMore(errw, more, limit, "set-aside messages")
	if asJSON {
		inZone(items, loc)
		if items == nil {
			items = []inquiry.SetAside{} // [], as scripts loop over it
		}
		return writeJSON(w, items)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tKIND\tFROM\tSUBJECT\tREASON")
	for _, s := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ReceivedAt.In(loc).Format("2006-01-02 15:04"), s.Kind, textsafe.Line(s.From), clip(s.Subject, 40), textsafe.Line(s.Reason))
	}
	return tw.Flush()
}

func listFailedJobs(ctx context.Context, st store.Reader, limit int, w, errw io.Writer, asJSON bool, loc *time.Location) error {
	all, err := st.ListJobs(ctx, inquiry.JobFailed, fetchLimit(limit))
	if err != nil {
		return err
	}
	jobs, more := listed(all, limit)
	defer noteMore(errw, more, limit, "failed jobs (the newest)")
	if asJSON {
		inZone(jobs, loc)
		return writeJSON(w, jobs)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tKIND\tRECIPIENT\tATTEMPTS\tFINISHED\tERROR")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", j.ID, j.Kind, textsafe.Line(j.Recipient), j.Attempts, j.FinishedAt.In(loc).Format(time.DateTime), clip(j.LastError, 80))
	}
	return tw.Flush()
}

func showTicket(ctx context.Context, st store.Reader, number string, w io.Writer, asJSON bool, loc *time.Location) error {
	t, ok, err := st.TicketByNumber(ctx, number)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no ticket %s", number)
	}
	entries, err := st.Entries(ctx, t.ID)
	if err != nil {
		return err
	}
	jobs, err := st.TicketJobs(ctx, t.ID)
	if err != nil {
		return err
	}
	if asJSON {
		v := map[string]any{"ticket": t, "entries": entries, "jobs": jobs}
		inZone(v, loc)
		return writeJSON(w, v)
	}
	// Each line is written without looking at the error: the buffer keeps
	// the first, so `tickets show N > record.txt` on a full disk exits 1
	// rather than 0 with the record cut short.
	bw := bufio.NewWriter(w)
	w = bw
	fmt.Fprintf(w, "%s  %s  %s\n", t.Number, t.State, t.Outcome)
	fmt.Fprintf(w, "Category:   %s (%s, confidence %.2f%s)\n", t.Category, t.Classifier, t.Confidence, map[bool]string{true: ", needs review"}[t.NeedsReview])
	if t.Reason != "" {
		fmt.Fprintf(w, "Reason:     %s\n", textsafe.Line(t.Reason))
	}
	fmt.Fprintf(w, "Channel:    %s   Language: %s\n", t.Channel, t.Language)
	fmt.Fprintf(w, "Sender:     %s\n", textsafe.Line(t.Sender.String()))
	fmt.Fprintf(w, "Officer:    %s\n", t.OfficerID)
	fmt.Fprintf(w, "Received:   %s\n", t.ReceivedAt.In(loc).Format(time.RFC3339))
	if !t.DueAt.IsZero() {
		fmt.Fprintf(w, "Due:        %s\n", t.DueAt.In(loc).Format("2006-01-02 15:04 MST"))
	}
	printLifecycle(w, &t, loc)
	for _, x := range []struct {
		label string
		at    time.Time
	}{{"Answered:", t.AnsweredAt}, {"Closed:", t.ClosedAt}} {
		if !x.at.IsZero() {
			fmt.Fprintf(w, "%-11s %s\n", x.label, x.at.In(loc).Format(time.RFC3339))
		}
	}
	if t.LinkedTo != "" {
		fmt.Fprintf(w, "Continues:  %s\n", t.LinkedTo)
	}
	if t.Mentions != "" {
		fmt.Fprintf(w, "Mentions:   %s (another sender's ticket)\n", t.Mentions)
	}
	fmt.Fprintf(w, "Subject:    %s\n", textsafe.Line(t.Subject))
	for _, en := range entries {
		fmt.Fprintf(w, "\n--- %s  %s  %s\n", en.CreatedAt.In(loc).Format(time.DateTime), en.Kind, textsafe.Line(en.Author))
		fmt.Fprintln(w, textsafe.Text(strings.TrimSpace(en.Text)))
		for _, at := range en.Attachments {
			line := fmt.Sprintf("[attachment] %s (%s, %d bytes)", textsafe.Line(at.Name), textsafe.Line(at.ContentType), at.Size)
			if at.NotSent != "" {
				// An officer's picture left out of their answer.
				line += " not sent to the citizen (" + textsafe.Line(at.NotSent) + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(jobs) > 0 {
		fmt.Fprintln(w, "\nSends:")
		for _, j := range jobs {
			line := fmt.Sprintf("  %-11s %-9s to %s, %d attempt(s)", j.Kind, j.State, textsafe.Line(j.Recipient), j.Attempts)
			if j.LastError != "" {
				line += ": " + textsafe.Line(j.LastError)
			}
			fmt.Fprintln(w, line)
		}
	}
	return bw.Flush()
}

// writeJSON and writeJSONCompact escape the C1 and bidi controls that
// encoding/json leaves raw, since the output is often read in a terminal.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}

func writeJSONCompact(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}

// clip fits message-derived text into one table cell: control characters
// escaped (textsafe.Line), white space collapsed, at most n runes.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(textsafe.Line(s)), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// printLifecycle prints what officers decided on a document request beyond
// its state: urgency, the extension, not held, the ground and decision time,
// complaints. Times are in the configured zone.
func printLifecycle(w io.Writer, t *inquiry.Ticket, loc *time.Location) {
	if t.Urgent {
		fmt.Fprintf(w, "Urgent:     yes (48 hours)\n")
	}
	if x := t.Extension; x != nil {
		fmt.Fprintf(w, "Extended:   %d days to %s by %s: %s\n", x.Days, x.DueAt.In(loc).Format("2006-01-02 15:04"), x.By, textsafe.Line(x.Reason))
	}
	if n := t.NotHeldMark; n != nil {
		holder := "holder not named"
		if n.Holder != "" {
			holder = "held by " + textsafe.Line(n.Holder)
		}
		fmt.Fprintf(w, "Not held:   %s (%s, %s)\n", holder, n.At.In(loc).Format("2006-01-02 15:04"), n.By)
	}
	if t.Ground != "" {
		fmt.Fprintf(w, "Ground:     %s\n", t.Ground)
	}
	if !t.DecidedAt.IsZero() {
		how := "decision notice"
		if t.DecisionInAnswer {
			how = "in the officer's answer"
		}
		fmt.Fprintf(w, "Decided:    %s (%s)\n", t.DecidedAt.In(loc).Format("2006-01-02 15:04"), how)
	}
	for _, c := range t.Complaints {
		fmt.Fprintf(w, "Complaint:  %s %s\n", c.Date, textsafe.Line(c.Note))
	}
}
