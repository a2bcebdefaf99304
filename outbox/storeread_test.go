package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// outageAttachments reads stored files from the store behind js, which
// goes down at the first read, as a database does that stops just when a
// send reads its files: while js is down every read fails as the store's
// reads do then.
type outageAttachments struct {
	js    *storeDown
	atts  []inquiry.Attachment
	reads atomic.Int32
}

func (s *outageAttachments) Attachments(_ context.Context, ref inquiry.AttachmentRef) ([]inquiry.Attachment, error) {
	if s.reads.Add(1) == 1 {
		s.js.down.Store(true)
	}
	if s.js.down.Load() {
		return nil, fmt.Errorf("read entry %d of ticket %d: %w", ref.EntryID, ref.TicketID, errDown)
	}
	var out []inquiry.Attachment
	for _, i := range ref.Indexes {
		out = append(out, s.atts[i])
	}
	return out, nil
}

// A send whose stored files cannot be read because the store is down
// spends none of its attempts: with max_attempts 1, where a counted
// failure would end the job for good, the mail or chat answer goes once
// the store answers, with its files. Nothing is logged or counted as a
// failed send; the store's outage is said once.
func TestStoreReadFailureSpendsNoAttempt(t *testing.T) {
	tests := []struct {
		name string
		chat bool
		down time.Duration // how long the store stays down
		// mostAttempts is the most attempts the job may count once sent:
		// a store down past the job's lease may have it claimed again
		// when it answers, before its renewal, and that claim counts (it
		// cannot tell it from a crash's).
		mostAttempts int
	}{
		{"mail, the store down for a moment", false, outbox.MinLease / 6, 1},
		{"mail, the store down past the lease", false, outbox.MinLease + time.Second, 2},
		{"chat answer, the store down for a moment", true, outbox.MinLease / 6, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const chat = int64(1001)
			f := newFixture(t)
			srv, m := smtpServer(t)
			js := &storeDown{JobStore: f.store}
			source := &outageAttachments{js: js, atts: officersFiles()}
			var id int64
			var chatSender outbox.ChatSender
			if tt.chat {
				tg, b := fakeTelegram(t, chat, f.store)
				chatSender = b
				id = f.addChatWithFiles(chat, 1)
				defer func() {
					if docs := tg.Sent(chat); len(docs) != 2 {
						t.Errorf("the chat got %d messages, want the text and its file", len(docs))
					}
				}()
			} else {
				j := inquiry.Job{
					TicketID: f.ticket.ID, Kind: inquiry.JobNotify, Recipient: "zamira", NextAt: f.now, CreatedAt: f.now,
					Mail: &inquiry.Mail{
						MessageID: "sportel.notify.1@mkrs.example", Date: f.now,
						From: inquiry.Address{Address: "komunikimi@mkrs.example"}, To: []inquiry.Address{{Address: "zamira@mkrs.example"}},
						Subject: "[DKP-2026-000001] Pyetje", Text: "Tiketë e re.",
						AttachFrom: &inquiry.AttachmentRef{TicketID: f.ticket.ID, EntryID: 7, Indexes: []int{0}},
					},
				}
				f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
				id = j.ID
			}
			logs := testutil.NewLogBuffer(t)
			ob := outbox.New(js, m, chatSender, outbox.Config{Workers: 2, MaxAttempts: 1, BackoffMin: time.Hour, BackoffMax: time.Hour,
				Lease: outbox.MinLease, Poll: 50 * time.Millisecond, Attachments: source}, logs.Logger(slog.LevelInfo))
			var failed atomic.Int32
			ob.Failed = func(inquiry.Job, error, bool) { failed.Add(1) }
			testutil.RunBackground(t, "outbox", 30*time.Second, ob.Run)

			testutil.Eventually(t, "the first read failing", 10*time.Second, func() (bool, error) {
				return source.reads.Load() >= 1, nil
			})
			time.Sleep(tt.down)
			js.down.Store(false)
			testutil.Eventually(t, "the job done", 20*time.Second, func() (bool, error) {
				j := f.job(id)
				if j.State == inquiry.JobFailed {
					return false, fmt.Errorf("the job failed for good: %s", j.LastError)
				}
				return j.State == inquiry.JobDone, nil
			})
			if j := f.job(id); j.Attempts < 1 || j.Attempts > tt.mostAttempts {
				t.Errorf("the job took %d attempts, want 1 to %d", j.Attempts, tt.mostAttempts)
			}
			if !tt.chat {
				mails := srv.Mails()
				if len(mails) != 1 || !strings.Contains(string(mails[0].Data), "vendimi.pdf") {
					t.Errorf("%d mails sent; want the one, with its file", len(mails))
				}
			}
			if n := failed.Load(); n != 0 {
				t.Errorf("%d failed sends counted for the store's outage", n)
			}
			out := logs.String()
			if strings.Contains(out, "send failed") {
				t.Errorf("the store's outage logged as a failed send:\n%s", out)
			}
			if got := strings.Count(out, "level=ERROR"); got != 1 || !strings.Contains(out, "store answers again") {
				t.Errorf("%d error lines; want the outage said once, and its end:\n%s", got, out)
			}
		})
	}
}
