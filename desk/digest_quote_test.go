package desk_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// A digest shows each follow-up's first 200 characters: those must be the
// citizen's words. A reply written under the acknowledgement it quotes
// (bottom-posted, as many phones and Thunderbird users do) showed the
// officer our own acknowledgement, cut before the citizen's words began.
func TestDigestShowsTheCitizensOwnWords(t *testing.T) {
	const own = "Më duhet edhe aneksi i kontratës, ju lutem."
	quote := func(text string) string {
		return "> " + strings.ReplaceAll(strings.TrimSpace(text), "\n", "\n> ")
	}
	tests := []struct {
		name string
		text func(ack *inquiry.Mail) string
	}{
		{"bottom-posted under an Albanian reply header", func(ack *inquiry.Mail) string {
			return "Më 25 nëntor 2026, në 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> shkroi:\n" + quote(ack.Text) + "\n\n" + own
		}},
		{"bottom-posted under an English one, signed", func(ack *inquiry.Mail) string {
			return "On Wed, 25 Nov 2026 at 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> wrote:\n\n" + quote(ack.Text) + "\n\n" + own + "\n\n-- \nArben Krasniqi"
		}},
		{"top-posted", func(ack *inquiry.Mail) string {
			return own + "\n\nMë 25 nëntor 2026 Divizioni për Komunikim Publik shkroi:\n" + quote(ack.Text)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newQuietFixture(t, filepath.Join(t.TempDir(), "s.db"))
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			f.handle(followUp(0, ack))
			f.now = f.now.Add(10 * time.Second)
			m := followUp(1, ack)
			m.Text = tt.text(ack)
			if d := f.handle(m); d != inquiry.Attached {
				t.Fatalf("follow-up: %s", d)
			}
			var digest *inquiry.Job
			for _, j := range jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify) {
				if j.Digest != nil && j.Mail != nil {
					digest = &j
				}
			}
			if digest == nil {
				t.Fatal("no digest")
			}
			// The acknowledgement's longest line, as far as a digest item
			// would show it.
			var ackLine string
			for l := range strings.Lines(ack.Text) {
				if len(l) > len(ackLine) {
					ackLine = l
				}
			}
			if !strings.Contains(digest.Mail.Text, own) || strings.Contains(digest.Mail.Text, ackLine[:40]) {
				t.Errorf("the digest does not show the citizen's words, or shows the acknowledgement's:\n%s", digest.Mail.Text)
			}
		})
	}
}
