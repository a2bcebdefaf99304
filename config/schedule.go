package config

import (
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
)

// maxReminderDays bounds tickets.reminders: a reminder further ahead than
// the longest deadline (7 days plus a 15-day extension) would never come.
const maxReminderDays = 30

// ScheduleTimes are tickets.reminder_hour and tickets.digest_hour as times
// since midnight. Parse has validated both, so nothing here can fail.
func (t *TicketsConfig) ScheduleTimes() (reminder, digest time.Duration) {
	reminder, _ = parseClock(t.ReminderHour)
	digest, _ = parseClock(t.DigestHour)
	return reminder, digest
}

// parseClock reads "HH:MM" (00:00 to 23:59) as the time since midnight.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 08:30 (00:00 to 23:59)", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func validateSchedule(c checker, t *TicketsConfig) {
	seen := map[int]int{}
	for i, n := range t.Reminders {
		p := fmt.Sprintf("tickets.reminders[%d]", i)
		if n < 0 || n > maxReminderDays {
			c.fail(p, "must be between 0 (the due day) and %d working days before it, not %d", maxReminderDays, n)
			continue
		}
		if first, dup := seen[n]; dup {
			c.fail(p, "%d is listed twice (also [%d])", n, first)
			continue
		}
		seen[n] = i
	}
	for _, k := range []struct{ path, value string }{
		{"tickets.reminder_hour", t.ReminderHour},
		{"tickets.digest_hour", t.DigestHour},
	} {
		if _, err := parseClock(k.value); err != nil {
			c.fail(k.path, "%v", err)
		}
	}
}

// officerLanguages are the languages Sportel can write to an officer in.
func officerLanguages() []string {
	out := make([]string, 0, len(inquiry.Languages))
	for _, l := range inquiry.Languages {
		out = append(out, string(l))
	}
	return out
}

// scheduleSummary says in one line what the scheduler sends, and to whom.
func (c *Config) scheduleSummary() string {
	t := c.Tickets
	reminders := "no reminders"
	if len(t.Reminders) > 0 {
		days := make([]string, len(t.Reminders))
		for i, n := range t.Reminders {
			days[i] = fmt.Sprint(n)
		}
		reminders = fmt.Sprintf("reminders %s working days before the due day at %s", strings.Join(days, ", "), t.ReminderHour)
	}
	var heads []string
	for _, h := range c.Heads() {
		heads = append(heads, h.ID)
	}
	if len(heads) == 0 {
		return reminders + "; no head (role: head): no escalations or daily digests are sent"
	}
	return fmt.Sprintf("%s; escalations, and a daily digest at %s on working days, to %s", reminders, t.DigestHour, strings.Join(heads, ", "))
}
