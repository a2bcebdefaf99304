package config

import (
	"fmt"
	"time"

	"sportel/calendar"
)

// DeadlineRules is the legal clock the tickets section sets. Parse has
// validated every value, so nothing here can fail.
func (t *TicketsConfig) DeadlineRules() calendar.Rules {
	count, _ := calendar.ParseCount(t.DeadlineCount)
	end, _ := parseOfficeHoursEnd(t.OfficeHoursEnd)
	return calendar.Rules{
		Calendar:       calendar.New(t.Calendar.options()),
		Location:       t.Location,
		Days:           t.DocumentRequestDeadlineDays,
		Count:          count,
		KeepDayOff:     !t.DeadlineMovesOffDaysOff,
		OfficeHoursEnd: end,
	}
}

func (c CalendarConfig) options() calendar.Options {
	dates := func(ss []string) []calendar.Date {
		var out []calendar.Date
		for _, s := range ss {
			if d, err := calendar.ParseDate(s); err == nil {
				out = append(out, d)
			}
		}
		return out
	}
	o := calendar.Options{
		EidAlFitr:  dates(c.EidAlFitr),
		EidAlAdha:  dates(c.EidAlAdha),
		NotDaysOff: dates(c.NotDaysOff),
	}
	for _, d := range c.DaysOff {
		if day, err := calendar.ParseDate(d.Date); err == nil {
			o.DaysOff = append(o.DaysOff, calendar.DayOff{Date: day, Name: d.Name})
		}
	}
	return o
}

// parseOfficeHoursEnd reads "HH:MM" as the time since midnight; "" is none.
func parseOfficeHoursEnd(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil || (t.Hour() == 0 && t.Minute() == 0) {
		return 0, fmt.Errorf("%q is not a time of day like 16:00 (00:01 to 23:59)", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func validateDeadline(c checker, t *TicketsConfig) {
	c.oneOf("tickets.deadline_count", t.DeadlineCount, string(calendar.CalendarDays), string(calendar.WorkingDays))
	if _, err := parseOfficeHoursEnd(t.OfficeHoursEnd); err != nil {
		c.fail("tickets.office_hours_end", "%v", err)
	}
	cal := t.Calendar
	// date checks one date and reports whether it parsed.
	date := func(path, s string) (calendar.Date, bool) {
		d, err := calendar.ParseDate(s)
		if err != nil {
			c.fail(path, "%s is not a date like 2027-05-04", c.d.show(path, s))
			return calendar.Date{}, false
		}
		return d, true
	}
	for _, eid := range []struct {
		key   string
		dates []string
	}{{"eid_al_fitr", cal.EidAlFitr}, {"eid_al_adha", cal.EidAlAdha}} {
		seen := map[calendar.Date]int{}
		for i, s := range eid.dates {
			p := fmt.Sprintf("tickets.calendar.%s[%d]", eid.key, i)
			d, ok := date(p, s)
			if !ok {
				continue
			}
			if first, dup := seen[d]; dup {
				c.fail(p, "%s is listed twice (also [%d])", s, first)
				continue
			}
			seen[d] = i
		}
	}
	off := map[calendar.Date]string{}
	for i, o := range cal.DaysOff {
		p := fmt.Sprintf("tickets.calendar.days_off[%d]", i)
		if !c.required(p+".date", o.Date) {
			continue
		}
		d, ok := date(p+".date", o.Date)
		if !ok {
			continue
		}
		if first, dup := off[d]; dup {
			c.fail(p+".date", "%s is listed twice (also %s)", o.Date, first)
			continue
		}
		off[d] = p
	}
	notOff := map[calendar.Date]string{}
	for i, s := range cal.NotDaysOff {
		p := fmt.Sprintf("tickets.calendar.not_days_off[%d]", i)
		d, ok := date(p, s)
		if !ok {
			continue
		}
		if first, dup := off[d]; dup {
			c.fail(p, "%s is also a day off (%s)", s, first)
			continue
		}
		if first, dup := notOff[d]; dup {
			c.fail(p, "%s is listed twice (also %s)", s, first)
			continue
		}
		notOff[d] = p
	}
}
