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

// digestOff is the tickets.digest_hour that turns the daily digest off.
const digestOff = "off"

// ScheduleTimes are tickets.reminder_hour and tickets.digest_hour as times
// since midnight. Parse has validated both, so nothing here can fail.
func (t *TicketsConfig) ScheduleTimes() (reminder, digest time.Duration) {
	reminder, _ = parseClock(t.ReminderHour)
	digest, _ = parseClock(t.DigestHour)
	return reminder, digest
}

// DailyDigest reports whether the heads get a daily digest: unless
// tickets.digest_hour is "off".
func (t *TicketsConfig) DailyDigest() bool { return t.DigestHour != digestOff }

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
	if _, err := parseClock(t.ReminderHour); err != nil {
		c.fail("tickets.reminder_hour", "%v", err)
	}
	if _, err := parseClock(t.DigestHour); err != nil && t.DailyDigest() {
		c.fail("tickets.digest_hour", "%v, or off", err)
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
	digest := "no daily digest"
	if t.DailyDigest() {
		digest = fmt.Sprintf("a daily digest at %s on working days", t.DigestHour)
	}
	return fmt.Sprintf("%s; escalations, and %s, to %s", reminders, digest, strings.Join(heads, ", "))
}
