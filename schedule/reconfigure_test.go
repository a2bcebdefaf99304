package schedule_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/schedule"
)

// TestReconfigure: the pass after a Reconfigure sends to whom the new
// configuration names (a reloaded officer's address); a configuration the
// scheduler refuses leaves the old one in force.
func TestReconfigure(t *testing.T) {
	moved := slices.Clone(officers)
	moved[0].Email = "jusuf.new@mkrs.example"
	cases := []struct {
		name    string
		change  func(*schedule.Config)
		wantErr string
		want    []string // where jusuf's reminder went
	}{
		{name: "unchanged", change: func(*schedule.Config) {}, want: []string{"jusuf@mkrs.example", "tg1001"}},
		{name: "new address, Telegram off", change: func(c *schedule.Config) { c.Officers, c.Telegram = moved, false },
			want: []string{"jusuf.new@mkrs.example"}},
		{name: "refused", change: func(c *schedule.Config) { c.Officers, c.Reminders = moved, []int{-1} },
			wantErr: "reconfigure scheduler: reminder -1 working days before the due day is negative",
			want:    []string{"jusuf@mkrs.example", "tg1001"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			defer st.Close()
			received := local(t, "2026-04-27 10:00")
			file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "jusuf", received, true)(t, st)
			cfg := config(t)
			cfg.Reminders = []int{0}
			cfg.Now = func() time.Time { return local(t, "2026-05-04 08:05") }
			s, err := schedule.New(cfg, st, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			next := cfg
			c.change(&next)
			err = s.Reconfigure(next)
			if got := errString(err); got != c.wantErr {
				t.Fatalf("Reconfigure = %q, want %q", got, c.wantErr)
			}
			if err := s.Pass(context.Background()); err != nil {
				t.Fatal(err)
			}
			jobs, err := st.ListJobs(context.Background(), inquiry.JobPending, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, j := range jobs {
				if j.Kind != inquiry.JobReminder {
					continue
				}
				if j.Chat != nil {
					got = append(got, fmt.Sprintf("tg%d", j.Chat.ChatID))
					continue
				}
				for _, a := range j.Mail.To {
					got = append(got, a.Address)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("reminder sent to %q, want %q", got, c.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
