package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/textsafe"
	"sportel/store"
)

const ticketsHelp = `Work tickets from the command line: list, show, assign, mark as spam, and
the lifecycle of a document request.

  sportel tickets list      [--json] [--state S] [--officer ID] [--automated] [--failed-jobs]
  sportel tickets show      NUMBER [--json]
  sportel tickets assign    NUMBER OFFICER
  sportel tickets spam      NUMBER
  sportel tickets retry-failed JOB_ID... | --all
` + ticketsActionsHelp + `

Every form takes --config FILE (default sportel.yaml).`

func cmdTickets(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, ticketsHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	fs := newFlags("tickets "+sub, ticketsHelp, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	state := fs.String("state", "", "list: only tickets in this state (assigned, answered, closed, bulk, spam)")
	officer := fs.String("officer", "", "list: only this officer's tickets")
	automated := fs.Bool("automated", false, "list: machine mail and quarantined mail that made no ticket")
	failed := fs.Bool("failed-jobs", false, "list: sends that failed for good")
	all := fs.Bool("all", false, "retry-failed: every failed job")
	outcome := fs.String("outcome", "", "close: the outcome")
	note := fs.String("note", "", "close: a note for the record")
	lf := addLifecycleFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := mustLoadConfig(*path, e)
	if !ok {
		return 1
	}
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.Log, os.Stderr))
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel: %v\n", err)
		return 1
	}
	defer a.Close()
	pos := fs.Args()
	need := func(n int, what string) bool {
		if len(pos) != n {
			fmt.Fprintf(e.stderr, "sportel tickets %s: want %s\n", sub, what)
			return false
		}
		return true
	}
	by := "cli:" + currentUser()
	switch sub {
	case "list":
		switch {
		case *automated:
			err = listSetAside(ctx, a.Store(), e.stdout, *asJSON, cfg.Tickets.Location)
		case *failed:
			err = listFailedJobs(ctx, a.Store(), e.stdout, *asJSON, cfg.Tickets.Location)
		default:
			f := inquiry.TicketFilter{OfficerID: *officer}
			if *state != "" {
				st := inquiry.State(*state)
				if !slices.Contains(listableStates(), st) {
					fmt.Fprintf(e.stderr, "sportel tickets list: unknown state %q (one of %s)\n", *state, joinStates(listableStates()))
					return 2
				}
				f.States = []inquiry.State{st}
			}
			if *officer != "" {
				if _, ok := cfg.Officer(*officer); !ok {
					fmt.Fprintf(e.stderr, "sportel tickets list: unknown officer %q (not in the configuration's officers)\n", *officer)
					return 2
				}
			}
			err = listTickets(ctx, a.Store(), f, e.stdout, *asJSON, cfg.Tickets.Location)
		}
	case "show":
		if !need(1, "NUMBER") {
			return 2
		}
		err = showTicket(ctx, a.Store(), strings.ToUpper(pos[0]), e.stdout, *asJSON, cfg.Tickets.Location)
	case "assign":
		if !need(2, "NUMBER OFFICER") {
			return 2
		}
		var t inquiry.Ticket
		if t, err = a.Desk().Assign(ctx, strings.ToUpper(pos[0]), pos[1], by); err == nil {
			fmt.Fprintf(e.stdout, "%s assigned to %s; they are notified when `sportel run` sends the outbox\n", t.Number, t.OfficerID)
		}
	case "spam":
		if !need(1, "NUMBER") {
			return 2
		}
		var t inquiry.Ticket
		if t, err = a.Desk().MarkSpam(ctx, strings.ToUpper(pos[0]), by); err == nil {
			fmt.Fprintf(e.stdout, "%s marked as spam\n", t.Number)
		}
	case "retry-failed":
		err = retryFailed(ctx, a.Store(), pos, *all, e.stdout, time.Now())
	default:
		handled, actErr := ticketAction(ctx, a.Desk(), sub, pos, *outcome, *note, lf, by, cfg.Tickets.Location, e.stdout)
		if !handled {
			fmt.Fprintf(e.stderr, "sportel tickets: unknown subcommand %q\n\n%s\n", sub, ticketsHelp)
			return 2
		}
		var usage usageError
		if errors.As(actErr, &usage) {
			fmt.Fprintf(e.stderr, "sportel tickets %s: %v\n", sub, actErr)
			return 2
		}
		err = actErr
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

func listTickets(ctx context.Context, st store.Reader, f inquiry.TicketFilter, w io.Writer, asJSON bool, loc *time.Location) error {
	ts, err := st.ListTickets(ctx, f)
	if err != nil {
		return err
	}
	if asJSON {
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

func listSetAside(ctx context.Context, st store.Reader, w io.Writer, asJSON bool, loc *time.Location) error {
	items, err := st.ListSetAside(ctx, "", 0)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, items)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tKIND\tFROM\tSUBJECT\tREASON")
	for _, s := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ReceivedAt.In(loc).Format("2006-01-02 15:04"), s.Kind, textsafe.Line(s.From), clip(s.Subject, 40), textsafe.Line(s.Reason))
	}
	return tw.Flush()
}

func listFailedJobs(ctx context.Context, st store.Reader, w io.Writer, asJSON bool, loc *time.Location) error {
	jobs, err := st.ListJobs(ctx, inquiry.JobFailed, 0)
	if err != nil {
		return err
	}
	if asJSON {
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
		return writeJSON(w, map[string]any{"ticket": t, "entries": entries, "jobs": jobs})
	}
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
			fmt.Fprintf(w, "[attachment] %s (%s, %d bytes)\n", textsafe.Line(at.Name), textsafe.Line(at.ContentType), at.Size)
		}
	}
	if len(jobs) > 0 {
		fmt.Fprintln(w, "\nSends:")
		for _, j := range jobs {
			line := fmt.Sprintf("  %-11s %-8s to %s, %d attempt(s)", j.Kind, j.State, textsafe.Line(j.Recipient), j.Attempts)
			if j.LastError != "" {
				line += ": " + textsafe.Line(j.LastError)
			}
			fmt.Fprintln(w, line)
		}
	}
	return nil
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
