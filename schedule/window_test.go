package schedule

import (
	"testing"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// TestReminderDue checks which reminder, if any, a pass at a moment sends:
// reminders at 08:00 two and one working days before the due day and on
// it, each due until the next one (or the deadline) begins.
func TestReminderDue(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Due Monday 4 May 2026; Friday 1 May is a holiday.
	monday := inquiry.Ticket{ReceivedAt: at("2026-04-27 10:00"), DueAt: at("2026-05-04 23:59").Add(59 * time.Second)}
	// Urgent: 48 hours from Monday 4 May 10:00.
	urgent := inquiry.Ticket{ReceivedAt: at("2026-05-04 10:00"), DueAt: at("2026-05-06 10:00")}
	// Due before the reminder hour of its day.
	early := inquiry.Ticket{ReceivedAt: at("2026-04-29 10:00"), DueAt: at("2026-05-06 07:00")}
	// A calendar-day deadline left on Saturday 9 May (deadline_moves_off_days_off: false).
	saturday := inquiry.Ticket{ReceivedAt: at("2026-05-02 10:00"), DueAt: at("2026-05-09 23:59")}
	cases := []struct {
		name      string
		reminders []int
		ticket    inquiry.Ticket
		now       string
		days      int // -1: none
	}{
		{"before the first", []int{2, 1, 0}, monday, "2026-04-29 07:59", -1},
		{"two days before, at the hour", []int{2, 1, 0}, monday, "2026-04-29 08:00", 2},
		{"two days before, that evening", []int{2, 1, 0}, monday, "2026-04-29 23:00", 2},
		{"one day before skips the holiday", []int{2, 1, 0}, monday, "2026-04-30 08:00", 1},
		{"on the holiday the last one stands", []int{2, 1, 0}, monday, "2026-05-01 12:00", 1},
		{"the due day", []int{2, 1, 0}, monday, "2026-05-04 08:00", 0},
		{"back after a stop: only the latest", []int{2, 1, 0}, monday, "2026-05-04 09:00", 0},
		{"the last minute", []int{2, 1, 0}, monday, "2026-05-04 23:59", 0},
		{"past the deadline", []int{2, 1, 0}, monday, "2026-05-05 00:00", -1},
		{"order of the list does not matter", []int{0, 2, 1}, monday, "2026-04-30 09:00", 1},
		{"one reminder only", []int{1}, monday, "2026-05-04 09:00", 1},
		{"no reminders", nil, monday, "2026-05-04 09:00", -1},
		{"urgent: one due before it came is skipped", []int{2, 1, 0}, urgent, "2026-05-04 10:30", -1},
		{"urgent: the next day", []int{2, 1, 0}, urgent, "2026-05-05 08:00", 1},
		{"urgent: its last morning", []int{2, 1, 0}, urgent, "2026-05-06 09:59", 0},
		{"due before the hour: the day before stands", []int{2, 1, 0}, early, "2026-05-06 06:59", 1},
		{"due before the hour: none on the day", []int{2, 1, 0}, early, "2026-05-06 07:00", -1},
		{"due on a Saturday: that morning", []int{2, 1, 0}, saturday, "2026-05-09 08:00", 0},
		{"due on a Saturday: Friday before", []int{2, 1, 0}, saturday, "2026-05-08 08:00", 1},
		{"due on a Saturday: Thursday two before", []int{2, 1, 0}, saturday, "2026-05-07 08:00", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(Config{Calendar: calendar.New(calendar.Options{}), Location: loc, Reminders: c.reminders,
				ReminderHour: 8 * time.Hour, Mailbox: inquiry.Address{Address: "k@mkrs.example"}, MessageIDDomain: "mkrs.example"},
				nil, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			days, when, ok := s.reminderDue(c.ticket, at(c.now))
			got := -1
			if ok {
				got = days
				if when.After(at(c.now)) || when.Hour() != 8 {
					t.Errorf("reminder moment %s: want 08:00 of its day, not after now", when)
				}
			}
			if got != c.days {
				t.Errorf("reminder due at %s = %d, want %d", c.now, got, c.days)
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	loc := time.UTC
	good := Config{Calendar: calendar.New(calendar.Options{}), Location: loc, Mailbox: inquiry.Address{Address: "k@mkrs.example"}, MessageIDDomain: "mkrs.example"}
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no calendar", func(c *Config) { c.Calendar = nil }, "new scheduler: no calendar"},
		{"no location", func(c *Config) { c.Location = nil }, "new scheduler: no location"},
		{"no mailbox", func(c *Config) { c.Mailbox.Address = "" }, "new scheduler: no mailbox address or Message-ID domain"},
		{"negative reminder", func(c *Config) { c.Reminders = []int{1, -1} }, "new scheduler: reminder -1 working days before the due day is negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.change(&cfg)
			if _, err := New(cfg, nil, testutil.DiscardLogger()); err == nil || err.Error() != c.want {
				t.Errorf("New = %v, want %q", err, c.want)
			}
		})
	}
}
