package calendar

import (
	"errors"
	"fmt"
	"time"
)

// Count is how a deadline's days are counted.
type Count string

// The counting modes.
const (
	// CalendarDays counts every day; a deadline on a day off moves to
	// the next working day unless Rules.KeepDayOff.
	CalendarDays Count = "calendar"
	// WorkingDays counts only working days.
	WorkingDays Count = "working"
)

// ParseCount reads "calendar" or "working".
func ParseCount(s string) (Count, error) {
	switch c := Count(s); c {
	case CalendarDays, WorkingDays:
		return c, nil
	}
	return "", fmt.Errorf("%q is not a way to count days (calendar or working)", s)
}

// Time limits the law fixes.
const (
	// UrgentHours is an urgent request's time, days off included.
	UrgentHours = 48
	// MaxExtensionDays is the longest extension of a deadline.
	MaxExtensionDays = 15
	// NotHeldWorkingDays is the time to tell the requester that the
	// document is not held (and where it is).
	NotHeldWorkingDays = 5
)

// Rules are the legal clock of a document request.
type Rules struct {
	Calendar *Calendar
	Location *time.Location
	// Days is the time to answer a document request.
	Days  int
	Count Count
	// KeepDayOff leaves a calendar-day deadline on a day off where it
	// falls; by default (the rule of administrative procedure) it moves to
	// the end of the next working day.
	KeepDayOff bool
	// OfficeHoursEnd, when not 0, is the time of day (since midnight) from
	// which a request counts as received on the next working day.
	OfficeHoursEnd time.Duration
}

// Due is a deadline and how it was reached.
type Due struct {
	At         time.Time
	Registered time.Time
	Count      Count
	Days       int
	// Counted are the days counted, in order; empty for an urgent request.
	Counted []Date
	// MovedFrom is the day off a calendar-day deadline fell on before it
	// moved to At's day; zero when it did not move.
	MovedFrom Date
	// Warnings say what the calendar could not know for the years counted
	// (an Eid date missing).
	Warnings []string
}

func (r Rules) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

func (r Rules) cal() *Calendar {
	if r.Calendar == nil {
		return New(Options{})
	}
	return r.Calendar
}

// Registered is the moment a request received at received counts from: the
// moment itself on a working day (before OfficeHoursEnd when set), else the
// start of the next working day.
func (r Rules) Registered(received time.Time) time.Time {
	return r.registered(received, r.cal().days())
}

func (r Rules) registered(received time.Time, ds *days) time.Time {
	loc := r.loc()
	t := received.In(loc)
	d := DateOf(t)
	if !ds.working(d) {
		return ds.next(d).In(loc)
	}
	if r.OfficeHoursEnd > 0 && !t.Before(d.In(loc).Add(r.OfficeHoursEnd)) {
		return ds.next(d).In(loc)
	}
	return t
}

// Deadline is the answer's due moment for a request received at received:
// Days counted after the day of registration in the Count mode.
func (r Rules) Deadline(received time.Time) (Due, error) {
	return r.DeadlineIn(received, r.Days, r.Count)
}

// DeadlineIn is Deadline with its own number of days and counting mode.
func (r Rules) DeadlineIn(received time.Time, days int, count Count) (Due, error) {
	if days < 1 {
		return Due{}, fmt.Errorf("a deadline needs at least one day, not %d", days)
	}
	ds := r.cal().days()
	reg := r.registered(received, ds)
	due, err := r.count(ds, DateOf(reg), days, count)
	due.Registered = reg
	return due, err
}

// count ends days after from, in the count mode.
func (r Rules) count(ds *days, from Date, days int, count Count) (Due, error) {
	due := Due{Count: count, Days: days}
	d := from
	switch count {
	case WorkingDays:
		for range days {
			d = ds.next(d)
			due.Counted = append(due.Counted, d)
		}
	case CalendarDays:
		for range days {
			d = d.AddDays(1)
			due.Counted = append(due.Counted, d)
		}
		if !r.KeepDayOff && !ds.working(d) {
			due.MovedFrom = d
			d = ds.next(d)
		}
	default:
		return Due{}, fmt.Errorf("unknown way to count days %q", count)
	}
	due.At = d.EndIn(r.loc())
	for y := from.Year; y <= d.Year; y++ {
		due.Warnings = append(due.Warnings, ds.c.Missing(y)...)
	}
	return due, nil
}

// Urgent is the due moment of an urgent request: UrgentHours of clock time
// after registration, days off included.
func (r Rules) Urgent(received time.Time) Due {
	reg := r.Registered(received)
	due := Due{Registered: reg, At: reg.Add(UrgentHours * time.Hour)}
	for y := DateOf(reg).Year; y <= DateOf(due.At).Year; y++ {
		due.Warnings = append(due.Warnings, r.cal().Missing(y)...)
	}
	return due
}

// ErrExtension is returned for an extension outside 1–MaxExtensionDays.
var ErrExtension = errors.New("an extension is 1 to 15 days")

// Extend moves the original deadline (a due moment Deadline returned) on by
// days, counted from its day in the same counting mode.
func (r Rules) Extend(original Due, days int) (Due, error) {
	if days < 1 || days > MaxExtensionDays {
		return Due{}, fmt.Errorf("%w, not %d", ErrExtension, days)
	}
	due, err := r.count(r.cal().days(), DateOf(original.At.In(r.loc())), days, original.Count)
	due.Registered = original.Registered
	return due, err
}

// NotHeld is when the requester must be told the document is not held:
// NotHeldWorkingDays working days after registration, whatever Count is.
func (r Rules) NotHeld(received time.Time) Due {
	due, _ := r.DeadlineIn(received, NotHeldWorkingDays, WorkingDays)
	return due
}
