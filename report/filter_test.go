package report

import (
	"testing"
	"time"

	"sportel/inquiry"
)

// A counter's Filter reads every ticket the report counts, in zones whose
// clocks change at midnight, stand far from UTC, or skipped a day (Samoa
// went from 29 to 31 December 2011); and it reads little more.
func TestFiltersCoverTheirDays(t *testing.T) {
	cases := []struct {
		zone        string
		first, last [3]int // year, month, day
	}{
		{"Europe/Belgrade", [3]int{2026, 1, 1}, [3]int{2026, 12, 31}},
		{"Europe/Belgrade", [3]int{2026, 3, 29}, [3]int{2026, 3, 29}},  // clocks forward at 02:00
		{"America/Santiago", [3]int{2022, 9, 11}, [3]int{2022, 9, 11}}, // forward at midnight: the day starts at 01:00
		{"America/Santiago", [3]int{2022, 4, 2}, [3]int{2022, 4, 3}},   // back at midnight: 23:00 twice
		{"Pacific/Apia", [3]int{2011, 12, 29}, [3]int{2011, 12, 31}},
		{"Pacific/Apia", [3]int{2011, 12, 31}, [3]int{2011, 12, 31}},
		{"Pacific/Kiritimati", [3]int{2025, 1, 1}, [3]int{2025, 1, 1}}, // UTC+14
		{"Pacific/Pago_Pago", [3]int{2025, 1, 1}, [3]int{2025, 1, 1}},  // UTC−11
		{"Asia/Kathmandu", [3]int{2025, 12, 31}, [3]int{2026, 1, 1}},   // UTC+5:45
	}
	for _, c := range cases {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		first := time.Date(c.first[0], time.Month(c.first[1]), c.first[2], 12, 0, 0, 0, loc)
		last := time.Date(c.last[0], time.Month(c.last[1]), c.last[2], 12, 0, 0, 0, loc)
		request := func(at time.Time) inquiry.Ticket {
			return inquiry.Ticket{Category: inquiry.DocumentRequest, Channel: inquiry.ChannelEmail, State: inquiry.Assigned, ReceivedAt: at}
		}
		// Each report's filter, and whether the report counts a request
		// received at a moment.
		type counter struct {
			filter inquiry.TicketFilter
			counts func(at time.Time) bool
		}
		counters := map[string]counter{
			"inbox": {NewInboxCounter(first, last, loc).Filter(), func(at time.Time) bool {
				c := NewInboxCounter(first, last, loc)
				c.Add(request(at))
				return c.Report().Received == 1
			}},
			"weekly": {NewWeeklyCounter(first, last, loc).Filter(), func(at time.Time) bool {
				c := NewWeeklyCounter(first, last, loc)
				c.Add(request(at))
				return c.Report().Received == 1
			}},
		}
		if c.first[1] == 1 && c.first[2] == 1 && c.last[1] == 12 && c.last[2] == 31 {
			counters["access"] = counter{NewAccessCounter(c.first[0], loc, last).Filter(), func(at time.Time) bool {
				c := NewAccessCounter(c.first[0], loc, last)
				c.Add(request(at))
				return c.Report().Received == 1
			}}
		}
		for name, cn := range counters {
			f := cn.filter
			in := 0
			// Three days about each end, every quarter hour: the filter can
			// only miss at the ends.
			var moments []time.Time
			for _, edge := range []time.Time{first, last} {
				for at := edge.Add(-72 * time.Hour); at.Before(edge.Add(72 * time.Hour)); at = at.Add(15 * time.Minute) {
					moments = append(moments, at)
				}
			}
			for _, at := range moments {
				read := !at.Before(f.ReceivedFrom) && at.Before(f.ReceivedBefore)
				if cn.counts(at) {
					in++
					if !read {
						t.Errorf("%s %s %v–%v: %v (%s there) is not read by [%v, %v)", c.zone, name, c.first, c.last,
							at.UTC(), at.In(loc), f.ReceivedFrom, f.ReceivedBefore)
					}
				}
			}
			if in == 0 {
				t.Errorf("%s %s %v–%v: no moment of the days sampled", c.zone, name, c.first, c.last)
			}
			// A day more at each end, of UTC days, at most.
			if span, days := f.ReceivedBefore.Sub(f.ReceivedFrom), last.Sub(first)+4*24*time.Hour; span > days+24*time.Hour {
				t.Errorf("%s %s %v–%v: reads %v for %v of days", c.zone, name, c.first, c.last, span, last.Sub(first))
			}
		}
	}
}
