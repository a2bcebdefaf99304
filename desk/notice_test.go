package desk_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// The notice about held acknowledgements goes to the heads, else to the
// catch-all officer.
func TestNoticeAckCapGoesToTheHeads(t *testing.T) {
	tests := []struct {
		name  string
		heads []string
		want  []string // addresses
	}{
		{"two heads", []string{"osman", "jusuf"}, []string{"osman.gashi@mkrs.example", "jusuf.lushaku@mkrs.example"}},
		{"no head: the catch-all officer", nil, []string{"zamira.ahmeti@mkrs.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) {
				c.Officers = slices.Clone(officers)
				for i := range c.Officers {
					if slices.Contains(tt.heads, c.Officers[i].ID) {
						c.Officers[i].Role = inquiry.RoleHead
					}
				}
			})
			until := f.now.Add(40 * time.Minute)
			loc, err := time.LoadLocation("Europe/Belgrade") // the fixture's
			if err != nil {
				t.Fatal(err)
			}
			// Asked twice for one episode (a crash came before the outbox
			// recorded the first), it notices once.
			for range 2 {
				if err := f.desk.NoticeAckCap(context.Background(), "ack-cap-first", 27, until); err != nil {
					t.Fatal(err)
				}
			}
			jobs, err := f.store.ListJobs(context.Background(), inquiry.JobPending, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, j := range jobs {
				if j.Kind != inquiry.JobServiceNotice || j.Mail == nil || len(j.Mail.To) != 1 {
					t.Fatalf("job %+v: want a notice mail to one officer", j)
				}
				got = append(got, j.Mail.To[0].Address)
				if !strings.Contains(j.Mail.Text, "27") || !strings.Contains(j.Mail.Text, until.In(loc).Format("02.01.2006 15:04")) {
					t.Errorf("notice text lacks the count or the time: %q", j.Mail.Text)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("notices to %v, want %v", got, want)
			}
		})
	}
}
