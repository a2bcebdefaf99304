package schedule

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/store"
)

// reminderDue returns the reminder whose window holds now: the working
// days before the due day it stands for, and when it became due. A
// reminder's window runs from its moment to the next reminder's (or the
// deadline), so after a stop only the latest reminder goes out, never a
// stale one; a reminder due before the ticket was received is skipped (an
// urgent request's 48 hours start inside them).
func (s *Scheduler) reminderDue(t inquiry.Ticket, now time.Time) (days int, at time.Time, ok bool) {
	if !now.Before(t.DueAt) {
		return 0, time.Time{}, false
	}
	dueDay := calendar.DateOf(t.DueAt.In(s.cfg.Location))
	for i, n := range s.reminders {
		start := s.at(s.workingDaysBefore(dueDay, n), s.cfg.ReminderHour)
		end := t.DueAt
		if i+1 < len(s.reminders) {
			if next := s.at(s.workingDaysBefore(dueDay, s.reminders[i+1]), s.cfg.ReminderHour); next.Before(end) {
				end = next
			}
		}
		if start.Before(t.ReceivedAt) || now.Before(start) || !now.Before(end) {
			continue
		}
		return n, start, true
	}
	return 0, time.Time{}, false
}

// remind queues the reminder due now on t, if any, to its officer. The
// key names the deadline's day, so an extended deadline is reminded anew;
// a reminder cancelled (the ticket closed, reassigned, its deadline
// moved) gives its key up, so the same reminder is queued again once the
// ticket fits it again (reopened, given back). The pass's cache knows the
// key with the ticket as it was then (UpdatedAt), so it never hides that.
func (s *Scheduler) remind(ctx context.Context, t inquiry.Ticket, now time.Time) (int, error) {
	days, _, ok := s.reminderDue(t, now)
	if !ok {
		return 0, nil
	}
	var to []inquiry.Officer
	if o, ok := s.officers[t.OfficerID]; ok {
		to = append(to, o)
	} else {
		// A reload took the officer out (or renamed their id): nobody
		// would hear of the deadline. The heads can give the request to
		// someone; the reminder says whose it was.
		to = s.heads
		key := fmt.Sprintf("unknown-officer:%s:%s", t.Number, t.OfficerID)
		if len(to) == 0 && !s.settled[key] {
			s.settled[key] = true
			s.log.Warn("no reminder: the ticket's officer is not configured, and no head is", "ticket", t.Number, "officer", t.OfficerID)
		}
	}
	var jobs []keyed
	var ids []string
	for _, o := range to {
		ids = append(ids, o.ID)
		subject, text, chat := s.reminderText(textsFor(o.Language), &t, o, days)
		for _, tg := range s.targets(o) {
			key := fmt.Sprintf("reminder:%s:%s:%d:%s:%s", t.Number, calendar.DateOf(t.DueAt.In(s.cfg.Location)), days, o.ID, tg)
			jobs = append(jobs, keyed{key: key, job: s.job(inquiry.JobReminder, &t, o, tg, subject, text, chat, now),
				memo: key + "@" + t.UpdatedAt.UTC().Format(time.RFC3339Nano)})
		}
	}
	jobs = s.pending(jobs)
	if len(jobs) == 0 {
		return 0, nil
	}
	var n int
	changed := false
	err := s.st.WithTx(ctx, func(st store.Tx) error {
		n, changed = 0, false
		cur, ok, err := st.TicketByID(t.ID)
		if err != nil {
			return fmt.Errorf("read ticket: %w", err)
		}
		if !ok || !cur.AwaitsDecision() || !cur.DueAt.Equal(t.DueAt) || cur.OfficerID != t.OfficerID {
			// Decided, extended or reassigned since it was listed: the
			// next pass sees it as it is. Checked under the ticket's
			// lock: the desk cancels the reminders queued before a
			// change, so none may be queued after it.
			changed = true
			return nil
		}
		n, err = queue(st, jobs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("remind: %w", err)
	}
	if changed {
		// Nothing was queued: not settled, so the ticket as the next pass
		// lists it (given back the same day, say) is reminded.
		return 0, nil
	}
	s.settle(jobs)
	if n > 0 {
		s.log.Info("reminder queued", "ticket", t.Number, "officer", t.OfficerID, "to", ids, "working_days_before", days, "due", t.DueAt)
	}
	return n, nil
}

// silenceSource marks the note that records a deadline passed with no
// decision, so it is written once per deadline.
func silenceSource(t inquiry.Ticket) string {
	return "schedule:silence:" + t.DueAt.UTC().Format(time.RFC3339)
}

// escalate records on t that its deadline passed with no decision (a
// refusal by silence, as the annual report counts it) and tells the heads.
// Both happen in one transaction; the note is written once per deadline
// and each head's message once per deadline and place.
func (s *Scheduler) escalate(ctx context.Context, t inquiry.Ticket, now time.Time) (int, error) {
	dueDay := calendar.DateOf(t.DueAt.In(s.cfg.Location))
	marker := "escalated:" + t.Number + ":" + silenceSource(t)
	var jobs []keyed
	var heads []string
	for _, h := range s.heads {
		heads = append(heads, h.ID)
		words := textsFor(h.Language)
		subject, text, chat := s.escalationText(words, &t, h)
		for _, tg := range s.targets(h) {
			key := fmt.Sprintf("escalation:%s:%s:%s:%s", t.Number, dueDay, h.ID, tg)
			jobs = append(jobs, keyed{key: key, job: s.job(inquiry.JobEscalation, &t, h, tg, subject, text, chat, now)})
		}
	}
	jobs = s.pending(jobs)
	if len(jobs) == 0 && s.settled[marker] {
		return 0, nil
	}
	var n int
	var noted, changed bool
	err := s.st.WithTx(ctx, func(st store.Tx) error {
		n, noted, changed = 0, false, false
		cur, ok, err := st.TicketByID(t.ID)
		if err != nil {
			return fmt.Errorf("read ticket: %w", err)
		}
		if !ok || !cur.AwaitsDecision() || !cur.DueAt.Equal(t.DueAt) {
			changed = true // as for reminders: not settled
			return nil
		}
		entries, err := st.Entries(t.ID)
		if err != nil {
			return fmt.Errorf("read record: %w", err)
		}
		if !hasSource(entries, silenceSource(t)) {
			to := "no head of the division is configured"
			if len(heads) > 0 {
				to = "escalated to " + strings.Join(heads, ", ")
			}
			e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: silenceSource(t), Author: "sportel",
				Text: fmt.Sprintf("refused by silence: the deadline %s passed with no decision; %s",
					t.DueAt.In(s.cfg.Location).Format("2006-01-02 15:04 MST"), to),
				CreatedAt: now}
			if err := st.AddEntry(e); err != nil {
				return fmt.Errorf("record refusal by silence: %w", err)
			}
			noted = true
		}
		n, err = queue(st, jobs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("escalate: %w", err)
	}
	if changed {
		return 0, nil
	}
	s.settle(jobs)
	s.settled[marker] = true
	if noted {
		s.log.Warn("deadline passed with no decision: refused by silence", "ticket", t.Number, "due", t.DueAt, "heads", heads)
	}
	return n, nil
}

func hasSource(entries []inquiry.Entry, source string) bool {
	for _, e := range entries {
		if e.Kind == inquiry.EntryNote && e.SourceID == source {
			return true
		}
	}
	return false
}
