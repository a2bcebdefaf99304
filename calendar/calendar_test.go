package calendar_test

import (
	"slices"
	"strings"
	"testing"

	"sportel/calendar"
)

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	tests := []struct {
		year              int
		western, orthodox string
	}{
		{2025, "2025-04-20", "2025-04-20"},
		{2026, "2026-04-05", "2026-04-12"},
		{2027, "2027-03-28", "2027-05-02"},
		{2028, "2028-04-16", "2028-04-16"},
		{2029, "2029-04-01", "2029-04-08"},
	}
	for _, tt := range tests {
		if got := calendar.WesternEaster(tt.year).String(); got != tt.western {
			t.Errorf("WesternEaster(%d) = %s, want %s", tt.year, got, tt.western)
		}
		if got := calendar.OrthodoxEaster(tt.year).String(); got != tt.orthodox {
			t.Errorf("OrthodoxEaster(%d) = %s, want %s", tt.year, got, tt.orthodox)
		}
	}
}

// listing renders a year's days off as "date name" lines, shifted days
// with "> from".
func listing(hs []calendar.Holiday) []string {
	var out []string
	for _, h := range hs {
		line := h.Date.String() + " " + h.Name
		if h.Shifted() {
			line += " > from " + h.ShiftedFrom.String()
		}
		if h.Weekend {
			line += " (weekend)"
		}
		out = append(out, line)
	}
	return out
}

// The days off of 2025–2028, worked out by hand from the law, both Easters
// and the shipped Eid dates.
func TestHolidays(t *testing.T) {
	tests := []struct {
		year int
		want []string
	}{
		{2025, []string{
			"2025-01-01 New Year's Day",
			"2025-01-02 New Year's Day (second day)",
			"2025-01-07 Orthodox Christmas",
			"2025-02-17 Independence Day",
			"2025-03-30 Eid al-Fitr (Bajrami i Madh) (weekend)",
			"2025-03-31 Eid al-Fitr (Bajrami i Madh) > from 2025-03-30",
			"2025-04-09 Constitution Day",
			// Both Easters on 20 April: one day off, not two.
			"2025-04-21 Catholic Easter Monday / Orthodox Easter Monday",
			"2025-05-01 Labour Day",
			"2025-05-09 Europe Day",
			"2025-06-06 Eid al-Adha (Kurban Bajrami)",
			"2025-12-25 Catholic Christmas",
		}},
		{2026, []string{
			"2026-01-01 New Year's Day",
			"2026-01-02 New Year's Day (second day)",
			"2026-01-07 Orthodox Christmas",
			"2026-02-17 Independence Day",
			"2026-03-20 Eid al-Fitr (Bajrami i Madh)",
			"2026-04-06 Catholic Easter Monday",
			"2026-04-09 Constitution Day",
			"2026-04-13 Orthodox Easter Monday",
			"2026-05-01 Labour Day",
			"2026-05-09 Europe Day (weekend)",
			"2026-05-11 Europe Day > from 2026-05-09",
			"2026-05-27 Eid al-Adha (Kurban Bajrami)",
			"2026-12-25 Catholic Christmas",
		}},
		{2027, []string{
			"2027-01-01 New Year's Day",
			"2027-01-02 New Year's Day (second day) (weekend)",
			"2027-01-04 New Year's Day (second day) > from 2027-01-02",
			"2027-01-07 Orthodox Christmas",
			"2027-02-17 Independence Day",
			"2027-03-10 Eid al-Fitr (Bajrami i Madh)",
			"2027-03-29 Catholic Easter Monday",
			"2027-04-09 Constitution Day",
			"2027-05-01 Labour Day (weekend)",
			"2027-05-03 Orthodox Easter Monday",
			// Monday 3 May is already off: 1 May moves to Tuesday.
			"2027-05-04 Labour Day > from 2027-05-01",
			"2027-05-09 Europe Day (weekend)",
			"2027-05-10 Europe Day > from 2027-05-09",
			"2027-05-16 Eid al-Adha (Kurban Bajrami) (weekend)",
			"2027-05-17 Eid al-Adha (Kurban Bajrami) > from 2027-05-16",
			"2027-12-25 Catholic Christmas (weekend)",
			"2027-12-27 Catholic Christmas > from 2027-12-25",
		}},
		{2028, []string{
			"2028-01-01 New Year's Day (weekend)",
			"2028-01-02 New Year's Day (second day) (weekend)",
			"2028-01-03 New Year's Day > from 2028-01-01",
			"2028-01-04 New Year's Day (second day) > from 2028-01-02",
			"2028-01-07 Orthodox Christmas",
			"2028-02-17 Independence Day",
			"2028-02-27 Eid al-Fitr (Bajrami i Madh) (weekend)",
			"2028-02-28 Eid al-Fitr (Bajrami i Madh) > from 2028-02-27",
			"2028-04-09 Constitution Day (weekend)",
			"2028-04-10 Constitution Day > from 2028-04-09",
			"2028-04-17 Catholic Easter Monday / Orthodox Easter Monday",
			"2028-05-01 Labour Day",
			"2028-05-05 Eid al-Adha (Kurban Bajrami)",
			"2028-05-09 Europe Day",
			"2028-12-25 Catholic Christmas",
		}},
	}
	c := calendar.New(calendar.Options{})
	for _, tt := range tests {
		got := listing(c.Holidays(tt.year))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Holidays(%d):\n got %s\nwant %s", tt.year, strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
		}
		if m := c.Missing(tt.year); len(m) != 0 {
			t.Errorf("Missing(%d) = %v, want none", tt.year, m)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := calendar.New(calendar.Options{})
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-12-24", true},
		{"2026-12-25", false}, // Christmas
		{"2026-12-26", false}, // Saturday
		{"2026-12-28", true},
		{"2027-01-04", false}, // for 2 January, a Saturday
		{"2027-05-04", false}, // for 1 May, past Orthodox Easter Monday
		{"2027-05-05", true},
		{"2028-04-17", false}, // both Easter Mondays
		{"2028-04-18", true},  // coinciding days off count once: no extra day
		{"2025-04-22", true},
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(date(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	c := calendar.New(calendar.Options{
		EidAlFitr:  []calendar.Date{date(t, "2029-02-14"), date(t, "2026-03-21")},
		DaysOff:    []calendar.DayOff{{Date: date(t, "2026-12-31"), Name: "Government decision"}, {Date: date(t, "2026-12-30")}},
		NotDaysOff: []calendar.Date{date(t, "2027-01-04")},
	})
	tests := []struct {
		day  string
		want bool
	}{
		{"2029-02-14", false}, // configured Eid al-Fitr
		{"2026-03-20", true},  // the shipped date, replaced
		{"2026-03-21", false}, // the replacement, a Saturday…
		{"2026-03-23", false}, // …moves to Monday
		{"2026-12-31", false}, // declared by the government
		{"2026-12-30", false},
		{"2027-01-04", true}, // the shift, cancelled
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(date(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	hs := listing(c.Holidays(2026))
	if !slices.Contains(hs, "2026-12-31 Government decision") || !slices.Contains(hs, "2026-12-30 day off declared by the government") {
		t.Errorf("Holidays(2026) lacks the declared days: %v", hs)
	}
	m := c.Missing(2029)
	if len(m) != 1 || !strings.Contains(m[0], "Eid al-Adha") || !strings.Contains(m[0], "2029") {
		t.Errorf("Missing(2029) = %v, want only Eid al-Adha", m)
	}
}

// A year outside the Eid table still has its other days off, and says
// what it lacks.
func TestYearWithoutEid(t *testing.T) {
	c := calendar.New(calendar.Options{})
	got := listing(c.Holidays(2030))
	if len(got) == 0 || !slices.Contains(got, "2030-04-22 Catholic Easter Monday") {
		t.Errorf("Holidays(2030) = %v", got)
	}
	if m := c.Missing(2030); len(m) != 2 {
		t.Errorf("Missing(2030) = %v, want both Eids", m)
	}
	for _, y := range []int{1, 1900, 9999} {
		_ = c.Holidays(y)
	}
}
