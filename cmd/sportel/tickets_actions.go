package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// The lifecycle of a document request from the command line: the same
// desk actions officers take in Telegram, written to the store; the
// notices they cause are sent when `sportel run` sends the outbox.

const outcomesHelp = `OUTCOME: granted, partly_granted, refused, not_held, withdrawn (document
requests; refused and partly_granted need a GROUND from tickets.refusal_grounds),
resolved, no_answer_needed (press inquiries and general questions).`

// lifecycleFlags are the flags the lifecycle subcommands take.
type lifecycleFlags struct {
	off      *bool
	ground   *string
	inAnswer *bool
}

// desker is the part of the desk the lifecycle subcommands use.
type desker interface {
	Urgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, error)
	Extend(ctx context.Context, number string, days int, reason, by string) (inquiry.Ticket, error)
	NotHeld(ctx context.Context, number, holder, by string) (inquiry.Ticket, error)
	CloseWith(ctx context.Context, number string, c desk.Closing, by string) (inquiry.Ticket, error)
	Reopen(ctx context.Context, number, by string) (inquiry.Ticket, error)
	Complaint(ctx context.Context, number, date, note, by string) (inquiry.Ticket, error)
}

// usageError is a command line that names too few or too many things: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ticketAction runs a lifecycle subcommand; handled is false for a
// subcommand that is not one of them.
func ticketAction(ctx context.Context, d desker, sub string, pos []string, outcome, note string, lf lifecycleFlags, by string, loc *time.Location, w io.Writer) (handled bool, err error) {
	if len(pos) == 0 {
		switch sub {
		case "urgent", "extend", "not-held", "close", "reopen", "complaint":
			return true, usageError{"want NUMBER first"}
		}
		return false, nil
	}
	number, rest := strings.ToUpper(pos[0]), pos[1:]
	var t inquiry.Ticket
	switch sub {
	case "urgent":
		if len(rest) != 0 {
			return true, usageError{"want NUMBER [--off]"}
		}
		if t, err = d.Urgent(ctx, number, !*lf.off, by); err == nil {
			state := "urgent: due " + formatDue(t.DueAt, loc)
			if !t.Urgent {
				state = "no longer urgent: due " + formatDue(t.DueAt, loc)
			}
			fmt.Fprintf(w, "%s %s\n", t.Number, state)
		}
	case "extend":
		if len(rest) < 2 {
			return true, usageError{"want NUMBER DAYS REASON"}
		}
		days, convErr := strconv.Atoi(rest[0])
		if convErr != nil {
			return true, usageError{fmt.Sprintf("DAYS %q is not a whole number", rest[0])}
		}
		if t, err = d.Extend(ctx, number, days, strings.Join(rest[1:], " "), by); err == nil {
			fmt.Fprintf(w, "%s extended by %d days: due %s; the requester is notified when `sportel run` sends the outbox\n", t.Number, days, formatDue(t.DueAt, loc))
		}
	case "not-held":
		if t, err = d.NotHeld(ctx, number, strings.Join(rest, " "), by); err == nil {
			fmt.Fprintf(w, "%s marked not held; the requester is notified when `sportel run` sends the outbox\n", t.Number)
		}
	case "close":
		c := desk.Closing{Ground: *lf.ground, InAnswer: *lf.inAnswer, Note: note}
		if len(rest) > 0 {
			if outcome != "" {
				return true, usageError{"give the outcome once: as OUTCOME or --outcome"}
			}
			outcome, rest = rest[0], rest[1:]
		}
		if len(rest) > 0 {
			if c.Ground != "" || len(rest) > 1 {
				return true, usageError{"want NUMBER OUTCOME [GROUND]"}
			}
			c.Ground = rest[0]
		}
		if outcome != "" {
			if c.Outcome, err = inquiry.ParseOutcome(outcome); err != nil {
				return true, err
			}
		}
		if t, err = d.CloseWith(ctx, number, c, by); err == nil {
			text := string(t.Outcome)
			if t.Ground != "" {
				text += " (ground " + t.Ground + ")"
			}
			fmt.Fprintf(w, "%s closed: %s\n", t.Number, text)
		}
	case "reopen":
		if len(rest) != 0 {
			return true, usageError{"want NUMBER"}
		}
		if t, err = d.Reopen(ctx, number, by); err == nil {
			fmt.Fprintf(w, "%s reopened\n", t.Number)
		}
	case "complaint":
		if len(rest) < 1 {
			return true, usageError{"want NUMBER DATE [NOTE]"}
		}
		if t, err = d.Complaint(ctx, number, rest[0], strings.Join(rest[1:], " "), by); err == nil {
			fmt.Fprintf(w, "%s: complaint of %s recorded (%d in all)\n", t.Number, rest[0], len(t.Complaints))
		}
	default:
		return false, nil
	}
	return true, err
}

func formatDue(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "none"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
