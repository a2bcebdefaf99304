package calendar_test

import (
	"testing"
	"time"

	"sportel/calendar"
)

// The days off these cases count through, from the Law on Official
// Holidays and the shipped Eid table:
//
//	2026: Thu 1 Jan, Fri 2 Jan, Wed 7 Jan, Tue 17 Feb, Fri 20 Mar (Fitr),
//	      Mon 6 Apr (Easter 5 Apr), Thu 9 Apr, Mon 13 Apr (Orthodox Easter
//	      12 Apr), Fri 1 May, Sat 9 May → Mon 11 May, Wed 27 May (Adha),
//	      Fri 25 Dec.
//	2027: Fri 1 Jan, Sat 2 Jan → Mon 4 Jan, Thu 7 Jan, Wed 17 Feb, Wed 10 Mar
//	      (Fitr), Mon 29 Mar (Easter 28 Mar), Fri 9 Apr, Sat 1 May → Tue 4
//	      May (Mon 3 May is Orthodox Easter Monday, Easter 2 May), Sun 9 May
//	      → Mon 10 May, Sun 16 May (Adha) → Mon 17 May, Sat 25 Dec → Mon 27 Dec.
//	2028: Sat 1 Jan → Mon 3 Jan, Sun 2 Jan → Tue 4 Jan, Fri 7 Jan, Sun 27
//	      Feb (Fitr) → Mon 28 Feb, Fri 5 May (Adha), Tue 9 May.
//
// Summer time starts on Sunday 29 March 2026 and ends on Sunday 25 October
// 2026.
func TestDeadlineAudit(t *testing.T) {
	loc := belgrade(t)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		received time.Time
		working  string // due moment with deadline_count: working
		calendar string // due moment with deadline_count: calendar
	}{
		// 22:59 UTC is 23:59 in Belgrade: registered Wednesday. Working:
		// Thu 24, (Fri 25 off, weekend), Mon 28, 29, 30, 31, (1 Jan, Mon 4
		// off), Tue 5, Wed 6 = 7. Calendar: 23 + 7 = Wed 30 Dec, a working day.
		{"23:59 local on Wednesday 23 December", utc("2026-12-23T22:59:00Z"),
			"2027-01-06T23:59:59+01:00", "2026-12-30T23:59:59+01:00"},
		// 23:01 UTC is 00:01 on Thursday: Mon 28, 29, 30, 31, Tue 5, Wed 6,
		// (Thu 7 off), Fri 8 = 7. Calendar: 24 + 7 = Thu 31 Dec.
		{"00:01 local on Thursday 24 December", utc("2026-12-23T23:01:00Z"),
			"2027-01-08T23:59:59+01:00", "2026-12-31T23:59:59+01:00"},
		// Friday evening: Mon 16, 17, 18, 19, (Fri 20 Eid), 23, 24, 25.
		// Calendar: 13 + 7 = Fri 20 March, Eid al-Fitr: moves to Mon 23.
		{"Friday evening before Eid al-Fitr 2026", at(t, "2026-03-13T20:00"),
			"2026-03-25T23:59:59+01:00", "2026-03-23T23:59:59+01:00"},
		// Saturday: registered Monday 16 March. Working: 17, 18, 19, 23, 24,
		// 25, 26. Calendar: 16 + 7 = Mon 23 March.
		{"a Saturday", at(t, "2026-03-14T10:00"),
			"2026-03-26T23:59:59+01:00", "2026-03-23T23:59:59+01:00"},
		// The day before Constitution Day: (Thu 9 off) Fri 10, (Mon 13
		// Orthodox Easter Monday) 14, 15, 16, 17, 20, 21. Calendar: 8 + 7 =
		// Wed 15 April, in summer time.
		{"the day before a holiday", at(t, "2026-04-08T15:00"),
			"2026-04-21T23:59:59+02:00", "2026-04-15T23:59:59+02:00"},
		// Both Easter Mondays of 2026: Fri 3, (Mon 6) 7, 8, (Thu 9) 10, (Mon
		// 13) 14, 15, 16. Calendar: 2 + 7 = Thu 9 April, off: Fri 10.
		{"across both Easter Mondays 2026", at(t, "2026-04-02T09:00"),
			"2026-04-16T23:59:59+02:00", "2026-04-10T23:59:59+02:00"},
		// Catholic Easter Monday 2027: 23, 24, 25, 26, (Mon 29) 30, 31, Thu 1
		// April. Calendar: 22 + 7 = Mon 29 March, off: Tue 30. Summer time
		// began on Sunday 28 March.
		{"Catholic Easter Monday 2027", at(t, "2027-03-22T09:00"),
			"2027-04-01T23:59:59+02:00", "2027-03-30T23:59:59+02:00"},
		// Orthodox Easter Monday 2027 and 1 May's Tuesday: 27, 28, 29, 30,
		// (Mon 3, Tue 4) 5, 6, 7. Calendar: 26 + 7 = Mon 3 May, off, and so
		// is Tue 4: Wed 5.
		{"Orthodox Easter Monday 2027", at(t, "2027-04-26T09:00"),
			"2027-05-07T23:59:59+02:00", "2027-05-05T23:59:59+02:00"},
		// Eid al-Adha 2026 (Wed 27 May): 21, 22, 25, 26, (27) 28, 29, Mon 1
		// June. Calendar: 20 + 7 = 27 May, off: Thu 28.
		{"Eid al-Adha 2026", at(t, "2026-05-20T09:00"),
			"2026-06-01T23:59:59+02:00", "2026-05-28T23:59:59+02:00"},
		// Eid al-Adha 2027 on Sunday 16 May: Mon 17 off. Registered Tue 11
		// (Mon 10 is 9 May's day): 12, 13, 14, (17) 18, 19, 20, 21.
		// Calendar: 11 + 7 = Tue 18.
		{"Eid al-Adha 2027 on a Sunday", at(t, "2027-05-11T09:00"),
			"2027-05-21T23:59:59+02:00", "2027-05-18T23:59:59+02:00"},
		// Eid al-Fitr 2027 (Wed 10 March): calendar 3 + 7 = 10 March, off:
		// Thu 11. Working: 4, 5, 8, 9, (10) 11, 12, 15.
		{"Eid al-Fitr 2027", at(t, "2027-03-03T09:00"),
			"2027-03-15T23:59:59+01:00", "2027-03-11T23:59:59+01:00"},
		// Eid al-Fitr 2028 on Sunday 27 February: Mon 28 off; calendar 21 +
		// 7 = Mon 28, moves to Tue 29 February (a leap year). Working: 22,
		// 23, 24, 25, (28) 29 Feb, 1, 2 March.
		{"Eid al-Fitr 2028 on a Sunday, leap year", at(t, "2028-02-21T09:00"),
			"2028-03-02T23:59:59+01:00", "2028-02-29T23:59:59+01:00"},
		// Eid al-Adha 2028 (Fri 5 May): calendar 28 April + 7 = 5 May, off:
		// Mon 8 (Tue 9 is Europe Day). Working: Mon 1 May is Labour Day:
		// (1) 2, 3, 4, (5) 8, (9) 10, 11, 12.
		{"Eid al-Adha 2028", at(t, "2028-04-28T09:00"),
			"2028-05-12T23:59:59+02:00", "2028-05-08T23:59:59+02:00"},
		// Summer time begins within the period: the deadline is the end of
		// its day in summer time. Working: Mon 30, 31, 1, 2, 3, (6) 7, 8.
		// Calendar: 27 + 7 = Fri 3 April.
		{"across the start of summer time", at(t, "2026-03-27T12:00"),
			"2026-04-08T23:59:59+02:00", "2026-04-03T23:59:59+02:00"},
		// 01:30 UTC on Sunday 29 March is 03:30 summer time, a Sunday:
		// registered Mon 30. Working: 31, 1, 2, 3, 7, 8, (9) 10. Calendar:
		// 30 + 7 = Mon 6 April, Easter Monday: Tue 7.
		{"on the night summer time begins", utc("2026-03-29T01:30:00Z"),
			"2026-04-10T23:59:59+02:00", "2026-04-07T23:59:59+02:00"},
		// 21:59 UTC on Friday 23 October is 23:59 summer time, a Friday.
		// Working: Mon 26, 27, 28, 29, 30, Mon 2 Nov, Tue 3, in winter time.
		// Calendar: 23 + 7 = Fri 30 October.
		{"23:59 on the Friday before summer time ends", utc("2026-10-23T21:59:00Z"),
			"2026-11-03T23:59:59+01:00", "2026-10-30T23:59:59+01:00"},
		// 22:30 UTC on Saturday 24 October is 00:30 on Sunday 25 in summer
		// time: registered Mon 26. Working: 27, 28, 29, 30, 2, 3, 4 Nov.
		// Calendar: 26 + 7 = Mon 2 November.
		{"the night summer time ends", utc("2026-10-24T22:30:00Z"),
			"2026-11-04T23:59:59+01:00", "2026-11-02T23:59:59+01:00"},
		// 31 December counts into next year's holidays: (1 Jan, Mon 4) Tue 5,
		// Wed 6, (Thu 7) 8, 11, 12, 13, 14. Calendar: 31 + 7 = Thu 7
		// January, Orthodox Christmas: Fri 8.
		{"31 December 2026", at(t, "2026-12-31T10:00"),
			"2027-01-14T23:59:59+01:00", "2027-01-08T23:59:59+01:00"},
		// 23:30 UTC on 31 December is 00:30 on New Year's Day: registered
		// Tue 5 January. Working: 6, 8, 11, 12, 13, 14, 15. Calendar: 5 +
		// 7 = Tue 12.
		{"23:30 UTC on 31 December 2026", utc("2026-12-31T23:30:00Z"),
			"2027-01-15T23:59:59+01:00", "2027-01-12T23:59:59+01:00"},
		// 2028 begins on a weekend: Mon 3 and Tue 4 January are off, and
		// Fri 7 is Orthodox Christmas. Working: 5, 6, 10, 11, 12, 13, 14.
		// Calendar: 31 + 7 = Fri 7 January, off: Mon 10.
		{"31 December 2027", at(t, "2027-12-31T10:00"),
			"2028-01-14T23:59:59+01:00", "2028-01-10T23:59:59+01:00"},
	}
	cal := calendar.New(calendar.Options{})
	for _, tt := range tests {
		for _, c := range []struct {
			count calendar.Count
			want  string
		}{{calendar.WorkingDays, tt.working}, {calendar.CalendarDays, tt.calendar}} {
			t.Run(tt.name+"/"+string(c.count), func(t *testing.T) {
				r := calendar.Rules{Calendar: cal, Location: loc, Days: 7, Count: c.count}
				due, err := r.Deadline(tt.received)
				if err != nil {
					t.Fatal(err)
				}
				if got := due.At.In(loc).Format(time.RFC3339); got != c.want {
					t.Errorf("due %s, want %s (counted %v)", got, c.want, due.Counted)
				}
			})
		}
	}
}

// An extension made on the deadline's last day counts its days from that
// day, in the same mode.
func TestExtendOnTheLastDayAudit(t *testing.T) {
	loc := belgrade(t)
	tests := []struct {
		count      calendar.Count
		received   string
		days       int
		original   string
		wantExtend string
	}{
		// Calendar: Wed 30 December + 15 = Thu 14 January 2027.
		{calendar.CalendarDays, "2026-12-23T09:00", 15, "2026-12-30T23:59:59+01:00", "2027-01-14T23:59:59+01:00"},
		// Working: from Wed 6 January, (Thu 7) 8, 11–15, 18–22, 25–28 = 15.
		{calendar.WorkingDays, "2026-12-23T09:00", 15, "2027-01-06T23:59:59+01:00", "2027-01-28T23:59:59+01:00"},
		// Calendar: a deadline moved off Eid (Fri 20 → Mon 23 March) counts
		// on from Monday: 23 + 5 = Sat 28, off: Mon 30, in summer time.
		{calendar.CalendarDays, "2026-03-13T20:00", 5, "2026-03-23T23:59:59+01:00", "2026-03-30T23:59:59+02:00"},
	}
	for _, tt := range tests {
		t.Run(string(tt.count)+"/"+tt.received, func(t *testing.T) {
			r := calendar.Rules{Calendar: calendar.New(calendar.Options{}), Location: loc, Days: 7, Count: tt.count}
			due, err := r.Deadline(at(t, tt.received))
			if err != nil {
				t.Fatal(err)
			}
			if got := due.At.In(loc).Format(time.RFC3339); got != tt.original {
				t.Fatalf("original due %s, want %s", got, tt.original)
			}
			// As the desk calls it: the stored due moment (in UTC) and the
			// configured mode.
			ext, err := r.Extend(calendar.Due{At: due.At.UTC(), Count: tt.count}, tt.days)
			if err != nil {
				t.Fatal(err)
			}
			if got := ext.At.In(loc).Format(time.RFC3339); got != tt.wantExtend {
				t.Errorf("extended due %s, want %s (counted %v)", got, tt.wantExtend, ext.Counted)
			}
		})
	}
}
