package schedule

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/store"
)

// dueSoonWindow is how far ahead the digest looks for deadlines.
const dueSoonWindow = 48 * time.Hour

// digestListMax caps each list in a digest; the rest are counted.
const digestListMax = 50

// digestData is what a daily digest reports; every head's copy is rendered
// from the same data.
type digestData struct {
	Day calendar.Date
	// New counts tickets filed in [From, To): from the previous working
	// day's digest time to this one's, so each ticket is in one digest.
	// Filed, not received: mail taken in late is dated before the window
	// it arrives in, and would be in none.
	From, To   time.Time
	New        int
	ByCategory map[inquiry.Category]int
	ByChannel  map[inquiry.Channel]int
	// DueSoon and Overdue are open document requests whose deadline is
	// within dueSoonWindow of the digest, or has passed.
	DueSoon, Overdue []inquiry.Ticket
	// Waiting are open tickets no officer has acted on yet: still as the
	// router assigned them, not taken, answered, reassigned or closed.
	Waiting []inquiry.Ticket
	// FailedCount counts the sends that failed for good in [From, To);
	// Failed are the first digestListMax of them, by when they failed.
	FailedCount int
	Failed      []inquiry.Job
	Numbers     map[int64]string // ticket id to number, for Failed
}

// digest queues today's digest to each head once it is due: on working
// days, from DigestHour until the day ends.
func (s *Scheduler) digest(ctx context.Context, now time.Time) (int, error) {
	if len(s.heads) == 0 || s.cfg.NoDailyDigest {
		return 0, nil
	}
	local := now.In(s.cfg.Location)
	today := calendar.DateOf(local)
	if !s.cfg.Calendar.IsWorkingDay(today) {
		return 0, nil
	}
	at := s.at(today, s.cfg.DigestHour)
	if now.Before(at) {
		return 0, nil
	}
	var keys []string
	for _, h := range s.heads {
		for _, tg := range s.targets(h) {
			keys = append(keys, fmt.Sprintf("daily_digest:%s:%s:%s", today, h.ID, tg))
		}
	}
	if !slices.ContainsFunc(keys, func(k string) bool { return !s.settled[k] }) {
		return 0, nil
	}
	from, err := s.digestFrom(ctx, today, at)
	if err != nil {
		return 0, fmt.Errorf("daily digest %s: %w", today, err)
	}
	d, err := s.digestData(ctx, today, from, at, now)
	if err != nil {
		return 0, fmt.Errorf("daily digest %s: %w", today, err)
	}
	var jobs []keyed
	i := 0
	for _, h := range s.heads {
		subject, text, chat := s.digestText(textsFor(h.Language), d)
		for _, tg := range s.targets(h) {
			jobs = append(jobs, keyed{key: keys[i], job: s.job(inquiry.JobDailyDigest, nil, h, tg, subject, text, chat, now)})
			i++
		}
	}
	jobs = s.pending(jobs)
	var n int
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = queue(tx, jobs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("daily digest %s: %w", today, err)
	}
	if n > 0 {
		// Only a digest queued moves the window: a pass that finds today's
		// digest queued already (a reload moved digest_hour later the same
		// day) must not. Failing here, the next digest starts where the
		// one before ended, counting this window's tickets twice rather
		// than in none; the digest itself is queued, so the pass goes on.
		if err := s.st.SetState(ctx, digestWindowKey, from.UTC().Format(time.RFC3339Nano)+" "+at.UTC().Format(time.RFC3339Nano)); err != nil {
			s.log.Error("daily digest queued, but its window was not recorded: the next digest may count this one's tickets again",
				"day", today.String(), "err", err)
		}
	}
	s.settle(jobs)
	if n > 0 {
		s.log.Info("daily digest queued", "day", today.String(), "jobs", n, "new", d.New, "overdue", len(d.Overdue))
	}
	return n, nil
}

// digestWindowKey keeps the window of the last digest queued ("<from>
// <to>", RFC 3339 in UTC).
const digestWindowKey = "schedule.digest_window"

// digestLookBack bounds how far back a digest reaches for the last one:
// digests turned off for months and on again start from the previous
// working day's digest time rather than count every ticket since.
const digestLookBack = 31 * 24 * time.Hour

// digestFrom is where the digest due at at begins: where the last digest
// queued ended, so that a reload moving digest_hour, or declaring the last
// digest's day a day off, puts no ticket in two digests or in none. Without
// a record of one (the first digest, or one long ago), it is the previous
// working day's digest time by the configuration in force.
func (s *Scheduler) digestFrom(ctx context.Context, today calendar.Date, at time.Time) (time.Time, error) {
	from := s.at(s.previousWorkingDay(today), s.cfg.DigestHour)
	v, ok, err := s.st.GetState(ctx, digestWindowKey)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the last digest's window: %w", err)
	}
	if !ok {
		return from, nil
	}
	lastFrom, lastTo, err := parseWindow(v)
	if err != nil {
		s.log.Warn("the last digest's window is unreadable; the digest starts at the previous working day's digest time", "value", v, "err", err)
		return from, nil
	}
	switch {
	case lastTo.Equal(at):
		// Today's again (a retry, or a head added since): the same window.
		return lastFrom, nil
	case lastTo.Before(at) && at.Sub(lastTo) <= digestLookBack:
		return lastTo, nil
	}
	return from, nil
}

func parseWindow(v string) (from, to time.Time, err error) {
	a, b, ok := strings.Cut(v, " ")
	if !ok {
		return from, to, fmt.Errorf("%q is not two times", v)
	}
	if from, err = time.Parse(time.RFC3339Nano, a); err != nil {
		return from, to, err
	}
	if to, err = time.Parse(time.RFC3339Nano, b); err != nil {
		return from, to, err
	}
	if !from.Before(to) {
		return from, to, fmt.Errorf("%q ends before it begins", v)
	}
	return from, to, nil
}

func (s *Scheduler) digestData(ctx context.Context, today calendar.Date, from, at, now time.Time) (digestData, error) {
	d := digestData{
		Day:        today,
		From:       from,
		To:         at,
		ByCategory: map[inquiry.Category]int{},
		ByChannel:  map[inquiry.Channel]int{},
		Numbers:    map[int64]string{},
	}
	// Only what the digest shows is read: the tickets filed in the window
	// and the open ones. Reading every ticket ever filed grew by the
	// thousands a year, every working day.
	filed, err := s.st.ListTickets(ctx, inquiry.TicketFilter{CreatedFrom: d.From, CreatedBefore: d.To})
	if err != nil {
		return d, fmt.Errorf("list new tickets: %w", err)
	}
	for _, t := range filed {
		if t.State == inquiry.BulkMail || t.State == inquiry.SpamMail {
			continue
		}
		d.New++
		d.ByCategory[t.Category]++
		d.ByChannel[t.Channel]++
	}
	open, err := s.st.ListTickets(ctx, inquiry.TicketFilter{States: []inquiry.State{inquiry.Assigned, inquiry.Answered}})
	if err != nil {
		return d, fmt.Errorf("list open tickets: %w", err)
	}
	for _, t := range open {
		if t.State == inquiry.Assigned && !t.Acted {
			d.Waiting = append(d.Waiting, t)
		}
		if t.Category != inquiry.DocumentRequest || t.DueAt.IsZero() {
			continue
		}
		switch {
		case !now.Before(t.DueAt):
			d.Overdue = append(d.Overdue, t)
		case t.DueAt.Before(now.Add(dueSoonWindow)):
			d.DueSoon = append(d.DueSoon, t)
		}
	}
	byDue := func(a, b inquiry.Ticket) int { return a.DueAt.Compare(b.DueAt) }
	slices.SortStableFunc(d.DueSoon, byDue)
	slices.SortStableFunc(d.Overdue, byDue)
	// Failed sends are kept for ever: only the window's are read, and of
	// them only as many as the digest lists.
	d.Failed, d.FailedCount, err = s.st.FailedJobs(ctx, d.From, d.To, digestListMax)
	if err != nil {
		return d, fmt.Errorf("list failed sends: %w", err)
	}
	for _, j := range d.Failed {
		// The ticket of a failed send may be years old: looked up by id.
		if _, ok := d.Numbers[j.TicketID]; ok || j.TicketID == 0 {
			continue
		}
		t, ok, err := s.st.TicketByID(ctx, j.TicketID)
		if err != nil {
			return d, fmt.Errorf("ticket of failed send %d: %w", j.ID, err)
		}
		if ok {
			d.Numbers[t.ID] = t.Number
		}
	}
	return d, nil
}
