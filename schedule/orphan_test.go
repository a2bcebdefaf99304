package schedule_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/schedule"
)

// TestReminderOfARemovedOfficersTicket: a reload that takes an officer
// out (or renames their id) leaves their open requests assigned to an id
// no longer configured. Their reminders go to the heads, who can reassign
// the request, saying whose it was; they went to nobody, so a deadline
// came with no reminder at all. With no head, nobody is reminded, as
// before.
func TestReminderOfARemovedOfficersTicket(t *testing.T) {
	noHead := []inquiry.Officer{officers[0], officers[1]}
	cases := []struct {
		name     string
		officer  string // the ticket's
		officers []inquiry.Officer
		want     []string // "recipient where"
		says     string   // what the mail says of the officer
	}{
		{"configured officer", "jusuf", officers, []string{"jusuf mail", "jusuf tg1001"}, ""},
		{"officer taken out", "ana", officers, []string{"osman mail", "osman tg1003"}, "(ana)"},
		{"officer taken out, no head", "ana", noHead, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			t.Cleanup(func() { st.Close() })
			file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, c.officer, local(t, "2026-04-27 10:00"), true)(t, st)
			cfg := config(t)
			cfg.Officers = c.officers
			now := local(t, "2026-04-29 08:05") // two working days before Monday 4 May
			cfg.Now = func() time.Time { return now }
			s, err := schedule.New(cfg, st, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // a second pass queues nothing more
				if err := s.Pass(context.Background()); err != nil {
					t.Fatal(err)
				}
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
				where := "mail"
				if j.Chat != nil {
					where = fmt.Sprintf("tg%d", j.Chat.ChatID)
				} else if c.says != "" && !strings.Contains(j.Mail.Text, c.says) {
					t.Errorf("reminder to %s does not say whose the request was (%q):\n%s", j.Recipient, c.says, j.Mail.Text)
				}
				got = append(got, j.Recipient+" "+where)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("reminders %q, want %q", got, c.want)
			}
		})
	}
}
