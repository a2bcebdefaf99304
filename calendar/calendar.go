// Package calendar is Kosovo's working calendar and the legal clock of a
// document request: which days are off (the Law on Official Holidays, with
// weekend shifts), when a request counts as registered and when its answer
// is due. It does no I/O; the configuration supplies the Eid dates the
// Islamic Community announces and the days off the government declares.
package calendar

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Date is a day on the civil calendar, without a time or a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads an ISO date such as 2027-05-04.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date like 2027-05-04", s)
	}
	return DateOf(t), nil
}

// DateOf is the day t falls on in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// utc is the date at midnight UTC, where every day is 24 hours long.
func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays is the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.utc().AddDate(0, 0, n)) }

// Weekday is the day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare orders dates: -1 when d is before e, 0 when equal, +1 after.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// In is the moment the date starts in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// EndIn is the end of the date in loc (23:59:59), the moment a deadline
// falling on it expires.
func (d Date) EndIn(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, loc)
}

func isWeekend(d Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// WesternEaster is Easter Sunday by the Gregorian computus (the anonymous
// algorithm of Meeus, Jones and Butcher).
func WesternEaster(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// OrthodoxEaster is Easter Sunday by the Julian computus (Meeus), given as
// a Gregorian date.
func OrthodoxEaster(year int) Date {
	a, b, c := year%4, year%7, year%19
	d := (19*c + 15) % 30
	e := (2*a + 4*b - d + 34) % 7
	month := (d + e + 114) / 31
	day := (d+e+114)%31 + 1
	// The Julian calendar runs behind by a day per century not divisible
	// by 400 (13 days from March 1900 to February 2100).
	behind := year/100 - year/400 - 2
	return Date{year, time.Month(month), day}.AddDays(behind)
}

// Eid days: the first days of Eid al-Fitr and Eid al-Adha the Islamic
// Community of Kosovo is expected to announce. Later years come from the
// configuration.
var (
	shippedEidAlFitr = []Date{{2025, 3, 30}, {2026, 3, 20}, {2027, 3, 10}, {2028, 2, 27}}
	shippedEidAlAdha = []Date{{2025, 6, 6}, {2026, 5, 27}, {2027, 5, 16}, {2028, 5, 5}}
)

// Holiday names.
const (
	NameEidAlFitr = "Eid al-Fitr (Bajrami i Madh)"
	NameEidAlAdha = "Eid al-Adha (Kurban Bajrami)"
)

// DayOff is a day declared by the government, from the configuration.
type DayOff struct {
	Date Date
	Name string
}

// Options adjust the shipped calendar.
type Options struct {
	// EidAlFitr and EidAlAdha give first days of Eid; for every year they
	// name, they replace the shipped dates of that year.
	EidAlFitr, EidAlAdha []Date
	// DaysOff are extra days off the government declares.
	DaysOff []DayOff
	// NotDaysOff are working days whatever the law or a weekend says
	// (a shift the government cancels, a working Saturday).
	NotDaysOff []Date
}

// Calendar says which days are off. The zero value is not usable; use New.
type Calendar struct {
	fitr, adha map[int][]Date
	daysOff    []DayOff
	notDaysOff map[Date]bool

	// offByYear keeps each year's days off (map[Date]bool, never changed
	// once stored) as first worked out: every ticket's deadline counts
	// through them, and a Calendar never changes after New.
	offByYear sync.Map
}

// New returns Kosovo's calendar adjusted by o.
func New(o Options) *Calendar {
	c := &Calendar{
		fitr:       eidTable(shippedEidAlFitr, o.EidAlFitr),
		adha:       eidTable(shippedEidAlAdha, o.EidAlAdha),
		daysOff:    slices.Clone(o.DaysOff),
		notDaysOff: map[Date]bool{},
	}
	for _, d := range o.NotDaysOff {
		c.notDaysOff[d] = true
	}
	return c
}

func eidTable(shipped, override []Date) map[int][]Date {
	t := map[int][]Date{}
	for _, d := range shipped {
		t[d.Year] = append(t[d.Year], d)
	}
	replaced := map[int]bool{}
	for _, d := range override {
		if !replaced[d.Year] {
			t[d.Year], replaced[d.Year] = nil, true
		}
		t[d.Year] = append(t[d.Year], d)
	}
	return t
}

// Holiday is a day off in a year's list.
type Holiday struct {
	Date Date
	Name string
	// ShiftedFrom is set on a working day that is off because the holiday
	// fell on a weekend (on ShiftedFrom).
	ShiftedFrom Date
	// Weekend marks a holiday that falls on a Saturday or Sunday; the day
	// after it that is off is listed separately.
	Weekend bool
}

// Shifted reports whether h is off in place of a holiday on a weekend.
func (h Holiday) Shifted() bool { return h.ShiftedFrom != Date{} }

// Missing says which of a year's days off the calendar cannot know: the
// Eid days of years outside the shipped table and the configuration.
func (c *Calendar) Missing(year int) []string {
	var out []string
	if len(c.fitr[year]) == 0 {
		out = append(out, fmt.Sprintf("the first day of %s in %d is not known; add it to the configuration", NameEidAlFitr, year))
	}
	if len(c.adha[year]) == 0 {
		out = append(out, fmt.Sprintf("the first day of %s in %d is not known; add it to the configuration", NameEidAlAdha, year))
	}
	return out
}

// statutory is the year's holidays as the law names them, before shifts;
// days that coincide are one day with both names.
func (c *Calendar) statutory(year int) []Holiday {
	var hs []Holiday
	add := func(d Date, name string) {
		for i := range hs {
			if hs[i].Date == d {
				hs[i].Name += " / " + name
				return
			}
		}
		hs = append(hs, Holiday{Date: d, Name: name})
	}
	add(Date{year, 1, 1}, "New Year's Day")
	add(Date{year, 1, 2}, "New Year's Day (second day)")
	add(Date{year, 1, 7}, "Orthodox Christmas")
	add(Date{year, 2, 17}, "Independence Day")
	add(Date{year, 4, 9}, "Constitution Day")
	add(WesternEaster(year).AddDays(1), "Catholic Easter Monday")
	add(OrthodoxEaster(year).AddDays(1), "Orthodox Easter Monday")
	add(Date{year, 5, 1}, "Labour Day")
	add(Date{year, 5, 9}, "Europe Day")
	for _, d := range c.fitr[year] {
		add(d, NameEidAlFitr)
	}
	for _, d := range c.adha[year] {
		add(d, NameEidAlAdha)
	}
	add(Date{year, 12, 25}, "Catholic Christmas")
	for _, o := range c.daysOff {
		if o.Date.Year == year {
			name := o.Name
			if name == "" {
				name = "day off declared by the government"
			}
			add(o.Date, name)
		}
	}
	slices.SortFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// Holidays lists the year's days off in date order: every holiday (marked
// when it falls on a weekend) and every working day off in its place. A
// weekend holiday moves to the next working day that is not already off;
// holidays late in the previous year may move into this one.
func (c *Calendar) Holidays(year int) []Holiday {
	hs := append(c.statutory(year-1), c.statutory(year)...)
	off := map[Date]bool{}
	for _, h := range hs {
		off[h.Date] = true
	}
	var out []Holiday
	for _, h := range hs {
		if !isWeekend(h.Date) {
			out = append(out, h)
			continue
		}
		h.Weekend = true
		out = append(out, h)
		d := h.Date.AddDays(1)
		for isWeekend(d) || off[d] {
			d = d.AddDays(1)
		}
		off[d] = true
		out = append(out, Holiday{Date: d, Name: h.Name, ShiftedFrom: h.Date})
	}
	out = slices.DeleteFunc(out, func(h Holiday) bool { return h.Date.Year != year || c.notDaysOff[h.Date] })
	slices.SortStableFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// IsWorkingDay reports whether d is a working day: not a weekend, not a
// holiday, not a day in a holiday's place, unless the configuration says
// it is not a day off.
func (c *Calendar) IsWorkingDay(d Date) bool { return c.days().working(d) }

// NextWorkingDay is the first working day after d.
func (c *Calendar) NextWorkingDay(d Date) Date { return c.days().next(d) }

// days is a view of the calendar for one computation.
func (c *Calendar) days() *days { return &days{c: c} }

type days struct {
	c *Calendar
}

// offIn is the set of year's days off, worked out once per Calendar.
func (c *Calendar) offIn(year int) map[Date]bool {
	if off, ok := c.offByYear.Load(year); ok {
		return off.(map[Date]bool)
	}
	off := map[Date]bool{}
	for _, h := range c.Holidays(year) {
		off[h.Date] = true
	}
	stored, _ := c.offByYear.LoadOrStore(year, off)
	return stored.(map[Date]bool)
}

func (ds *days) working(d Date) bool {
	if ds.c.notDaysOff[d] {
		return true
	}
	if isWeekend(d) {
		return false
	}
	return !ds.c.offIn(d.Year)[d]
}

func (ds *days) next(d Date) Date {
	d = d.AddDays(1)
	for !ds.working(d) {
		d = d.AddDays(1)
	}
	return d
}
