package schedule_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/schedule"
)

// A reload between two digests (digest_hour moved, or the day of the last
// digest declared a day off) must not leave tickets out of every digest or
// count them in two: each digest starts where the last one sent ended,
// not where the configuration now in force would have put it.
func TestDigestWindowFollowsTheLastDigestAcrossAReload(t *testing.T) {
	cases := []struct {
		name      string
		configure func(t *testing.T, cfg *schedule.Config)
		// the first digest at 08:30 on Monday 4 May 2026; the second on
		// Tuesday 5 May at secondAt.
		secondAt  string
		wantFirst int
		wantNext  int
	}{
		{"digest hour moved later", func(t *testing.T, cfg *schedule.Config) { cfg.DigestHour = 14 * time.Hour }, "2026-05-05 14:00", 1, 2},
		{"digest hour moved earlier", func(t *testing.T, cfg *schedule.Config) { cfg.DigestHour = 7 * time.Hour }, "2026-05-05 07:00", 1, 2},
		{"the last digest's day made a day off", func(t *testing.T, cfg *schedule.Config) {
			cfg.Calendar = calendar.New(calendar.Options{DaysOff: []calendar.DayOff{{Date: calendar.Date{Year: 2026, Month: 5, Day: 4}, Name: "declared off"}}})
		}, "2026-05-05 08:30", 1, 2},
		{"nothing changed", func(t *testing.T, cfg *schedule.Config) {}, "2026-05-05 08:30", 1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			t.Cleanup(func() { st.Close() })
			c := &clock{t: t}
			// One filed before Monday's digest, two after it and before
			// Tuesday's (whatever its hour).
			for i, at := range []string{"2026-05-04 08:00", "2026-05-04 10:00", "2026-05-04 15:00"} {
				number := "DKP-2026-00000" + strconv.Itoa(i+1)
				c.events = append(c.events, event{local(t, at),
					fileAt(number, inquiry.GeneralQuestion, inquiry.ChannelEmail, "zamira", local(t, at), local(t, at), true)})
			}
			c.run(st, local(t, "2026-05-04 00:00"), local(t, "2026-05-04 09:00"), 0)
			c.configure = func(cfg *schedule.Config) { tc.configure(t, cfg) }
			c.run(st, local(t, "2026-05-04 09:00"), local(t, "2026-05-05 16:00"), 0)

			_, jobs := sent(t, st)
			var counts []int
			var second string
			for _, j := range jobs {
				if j.Kind != inquiry.JobDailyDigest || j.Mail == nil || j.Recipient == "" {
					continue
				}
				first, _, _ := strings.Cut(j.Mail.Text, "\n")
				n, err := strconv.Atoi(first[strings.LastIndex(first, ": ")+2:])
				if err != nil {
					t.Fatalf("digest of %s: no count in %q", j.CreatedAt, first)
				}
				counts = append(counts, n)
				second = first
			}
			if len(counts) != 2 || counts[0] != tc.wantFirst || counts[1] != tc.wantNext {
				t.Fatalf("digests by mail counted %v new tickets, want [%d %d] (the last: %q)", counts, tc.wantFirst, tc.wantNext, second)
			}
		})
	}
}
