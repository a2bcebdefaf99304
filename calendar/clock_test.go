package calendar_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/internal/testutil"
)

func belgrade(t *testing.T) *time.Location { return testutil.Location(t, "Europe/Belgrade") }

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02T15:04", s, belgrade(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRegistered(t *testing.T) {
	tests := []struct {
		name, received string
		officeEnd      time.Duration
		want           string
	}{
		{"a working day", "2026-12-24T16:00", 0, "2026-12-24T16:00:00+01:00"},
		{"a holiday", "2026-12-25T09:00", 0, "2026-12-28T00:00:00+01:00"},
		{"a Saturday", "2026-12-26T10:00", 0, "2026-12-28T00:00:00+01:00"},
		{"before office hours end", "2026-12-24T15:59", 16 * time.Hour, "2026-12-24T15:59:00+01:00"},
		{"at office hours end", "2026-12-24T16:00", 16 * time.Hour, "2026-12-28T00:00:00+01:00"},
		{"after office hours, before a working day", "2026-12-23T18:30", 16*time.Hour + 30*time.Minute, "2026-12-24T00:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := calendar.Rules{Calendar: calendar.New(calendar.Options{}), Location: belgrade(t), OfficeHoursEnd: tt.officeEnd}
			if got := r.Registered(at(t, tt.received)).Format(time.RFC3339); got != tt.want {
				t.Errorf("Registered(%s) = %s, want %s", tt.received, got, tt.want)
			}
		})
	}
}

// Deadlines worked out by hand on the 2026–2028 calendar.
func TestDeadline(t *testing.T) {
	tests := []struct {
		name, received string
		count          calendar.Count
		keepDayOff     bool
		officeEnd      time.Duration
		want           string
		moved          string
	}{
		{"24 December, calendar days", "2026-12-24T16:00", calendar.CalendarDays, false, 0, "2026-12-31T23:59:59+01:00", ""},
		// 25 Dec, the weekend, 1–2 Jan (2 Jan moved to Monday 4 Jan) and
		// 7 Jan are not counted.
		{"24 December, working days", "2026-12-24T16:00", calendar.WorkingDays, false, 0, "2027-01-08T23:59:59+01:00", ""},
		// Registered Monday 28 Dec; the 7th day, 4 Jan, is off.
		{"a Saturday, calendar days", "2026-12-26T10:00", calendar.CalendarDays, false, 0, "2027-01-05T23:59:59+01:00", "2027-01-04"},
		{"a Saturday, calendar days, not moved", "2026-12-26T10:00", calendar.CalendarDays, true, 0, "2027-01-04T23:59:59+01:00", ""},
		{"a Saturday, working days", "2026-12-26T10:00", calendar.WorkingDays, false, 0, "2027-01-11T23:59:59+01:00", ""},
		// 27 Dec 2027 stands for Christmas, 3–4 Jan 2028 for New Year.
		{"across New Year, calendar days", "2027-12-28T09:00", calendar.CalendarDays, false, 0, "2028-01-05T23:59:59+01:00", "2028-01-04"},
		{"across New Year, working days", "2027-12-28T09:00", calendar.WorkingDays, false, 0, "2028-01-11T23:59:59+01:00", ""},
		{"after office hours, calendar days", "2026-12-24T16:00", calendar.CalendarDays, false, 16 * time.Hour, "2027-01-05T23:59:59+01:00", "2027-01-04"},
		{"within office hours", "2026-12-24T15:59", calendar.CalendarDays, false, 16 * time.Hour, "2026-12-31T23:59:59+01:00", ""},
		{"past midnight in Kosovo, not in UTC", "2026-11-30T23:30", calendar.CalendarDays, false, 0, "2026-12-07T23:59:59+01:00", ""},
		// 3, 4 and 10 May are off.
		{"across the 2027 May days off, working days", "2027-04-30T12:00", calendar.WorkingDays, false, 0, "2027-05-14T23:59:59+02:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := calendar.Rules{Calendar: calendar.New(calendar.Options{}), Location: belgrade(t), Days: 7, Count: tt.count, KeepDayOff: tt.keepDayOff, OfficeHoursEnd: tt.officeEnd}
			due, err := r.Deadline(at(t, tt.received))
			if err != nil {
				t.Fatal(err)
			}
			if got := due.At.Format(time.RFC3339); got != tt.want {
				t.Errorf("Deadline(%s) = %s, want %s (counted %v)", tt.received, got, tt.want, due.Counted)
			}
			moved := ""
			if due.MovedFrom != (calendar.Date{}) {
				moved = due.MovedFrom.String()
			}
			if moved != tt.moved || len(due.Counted) != 7 || due.Count != tt.count || len(due.Warnings) != 0 {
				t.Errorf("moved from %q, want %q; counted %v; count %s; warnings %v", moved, tt.moved, due.Counted, due.Count, due.Warnings)
			}
		})
	}
}

// A UTC receipt time is dated in Kosovo: 23:30 UTC on 30 November is
// 1 December in Prishtina.
func TestDeadlineIsInKosovoTime(t *testing.T) {
	r := calendar.Rules{Location: belgrade(t), Days: 7, Count: calendar.CalendarDays}
	due, err := r.Deadline(time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := due.At.Format(time.RFC3339); got != "2026-12-08T23:59:59+01:00" {
		t.Errorf("Deadline = %s, want 2026-12-08T23:59:59+01:00", got)
	}
}

func TestUrgent(t *testing.T) {
	tests := []struct{ name, received, want string }{
		{"over Christmas", "2026-12-24T16:00", "2026-12-26T16:00:00+01:00"},
		{"a Saturday counts from Monday", "2026-12-26T10:00", "2026-12-30T00:00:00+01:00"},
		// Summer time starts on 28 March 2027: 48 hours end at 13:00.
		{"across the clock change", "2027-03-26T12:00", "2027-03-28T13:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := calendar.Rules{Location: belgrade(t), Days: 7}
			if got := r.Urgent(at(t, tt.received)).At.Format(time.RFC3339); got != tt.want {
				t.Errorf("Urgent(%s) = %s, want %s", tt.received, got, tt.want)
			}
		})
	}
}

func TestExtend(t *testing.T) {
	tests := []struct {
		name  string
		count calendar.Count
		days  int
		want  string
		err   bool
	}{
		{"15 calendar days", calendar.CalendarDays, 15, "2027-01-15T23:59:59+01:00", false},
		// From 31 Dec: 4 Jan is off, so the end moves to 5 Jan.
		{"onto a day off, calendar days", calendar.CalendarDays, 4, "2027-01-05T23:59:59+01:00", false},
		// From 8 Jan, counting working days.
		{"15 working days", calendar.WorkingDays, 15, "2027-01-29T23:59:59+01:00", false},
		{"16 days", calendar.CalendarDays, 16, "", true},
		{"no days", calendar.WorkingDays, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := calendar.Rules{Location: belgrade(t), Days: 7, Count: tt.count}
			orig, err := r.Deadline(at(t, "2026-12-24T16:00"))
			if err != nil {
				t.Fatal(err)
			}
			due, err := r.Extend(orig, tt.days)
			if tt.err {
				if !errors.Is(err, calendar.ErrExtension) {
					t.Errorf("Extend(%d) error = %v, want ErrExtension", tt.days, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := due.At.Format(time.RFC3339); got != tt.want || !due.Registered.Equal(orig.Registered) {
				t.Errorf("Extend(%s, %d) = %s, want %s", orig.At.Format(time.RFC3339), tt.days, got, tt.want)
			}
		})
	}
}

func TestNotHeld(t *testing.T) {
	tests := []struct {
		name, received string
		count          calendar.Count
		want           string
	}{
		{"working days", "2026-12-24T16:00", calendar.WorkingDays, "2027-01-05T23:59:59+01:00"},
		{"working days even when deadlines count calendar days", "2026-12-24T16:00", calendar.CalendarDays, "2027-01-05T23:59:59+01:00"},
		{"a Saturday", "2026-12-26T10:00", calendar.CalendarDays, "2027-01-06T23:59:59+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := calendar.Rules{Location: belgrade(t), Days: 7, Count: tt.count}
			due := r.NotHeld(at(t, tt.received))
			if got := due.At.Format(time.RFC3339); got != tt.want || due.Count != calendar.WorkingDays || due.Days != 5 {
				t.Errorf("NotHeld(%s) = %s %d %s, want %s 5 working", tt.received, got, due.Days, due.Count, tt.want)
			}
		})
	}
}

// Counting through a year without Eid dates works and says so.
func TestDeadlineWarnsOfMissingEid(t *testing.T) {
	r := calendar.Rules{Location: belgrade(t), Days: 7, Count: calendar.WorkingDays}
	due, err := r.Deadline(at(t, "2029-03-01T10:00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(due.Warnings) != 2 || !strings.Contains(due.Warnings[0], "2029") {
		t.Errorf("warnings %v, want the two Eids of 2029", due.Warnings)
	}
	if _, err := r.DeadlineIn(at(t, "2026-12-24T16:00"), 0, calendar.WorkingDays); err == nil {
		t.Error("0 days: no error")
	}
	if _, err := r.DeadlineIn(at(t, "2026-12-24T16:00"), 7, "lunar"); err == nil {
		t.Error("unknown count: no error")
	}
}

func TestParseCount(t *testing.T) {
	for _, s := range []string{"calendar", "working"} {
		if c, err := calendar.ParseCount(s); err != nil || string(c) != s {
			t.Errorf("ParseCount(%q) = %q, %v", s, c, err)
		}
	}
	if _, err := calendar.ParseCount("Working"); err == nil {
		t.Error("ParseCount(Working): no error")
	}
}

// One Calendar serves every ticket, from many goroutines at once: the days
// off it works out once per year give the same deadlines as a fresh
// Calendar does.
func TestSharedCalendarAnswersAsFresh(t *testing.T) {
	loc := belgrade(t)
	opts := calendar.Options{DaysOff: []calendar.DayOff{{Date: calendar.Date{Year: 2027, Month: 3, Day: 15}, Name: "declared"}}}
	shared := calendar.New(opts)
	var received []time.Time
	for d := time.Date(2026, 11, 1, 10, 0, 0, 0, loc); d.Year() < 2029; d = d.Add(61 * time.Hour) {
		received = append(received, d)
	}
	counts := []calendar.Count{calendar.WorkingDays, calendar.CalendarDays}
	want := make([][]time.Time, len(counts))
	for i, c := range counts {
		fresh := calendar.Rules{Location: loc, Days: 15, Count: c}
		for _, r := range received {
			fresh.Calendar = calendar.New(opts)
			due, err := fresh.Deadline(r)
			if err != nil {
				t.Fatal(err)
			}
			want[i] = append(want[i], due.At)
		}
	}
	errs := make(chan string, 8*len(received)*len(counts))
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := range received {
				k := (k + g*7) % len(received) // each goroutine from its own start
				for i, c := range counts {
					r := calendar.Rules{Calendar: shared, Location: loc, Days: 15, Count: c}
					due, err := r.Deadline(received[k])
					if err != nil || !due.At.Equal(want[i][k]) {
						errs <- fmt.Sprintf("%s, %s: %s (%v), want %s", received[k].Format(time.DateOnly), c, due.At, err, want[i][k])
					}
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
