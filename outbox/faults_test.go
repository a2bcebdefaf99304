package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// finishFailsOnce is the real store whose first FinishJobs fails, as a
// busy or briefly unreachable database does.
type finishFailsOnce struct {
	outbox.JobStore
	failed atomic.Bool
}

func (s *finishFailsOnce) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) ([]int64, error) {
	if s.failed.CompareAndSwap(false, true) {
		return nil, errors.New("database is locked")
	}
	return s.JobStore.FinishJobs(ctx, owner, sent, now)
}

func messageIDs(mails [][]byte) map[string]int {
	seen := map[string]int{}
	for _, data := range mails {
		for _, line := range strings.Split(string(data), "\r\n") {
			if id, ok := strings.CutPrefix(line, "Message-Id: "); ok {
				seen[id]++
			} else if id, ok := strings.CutPrefix(line, "Message-ID: "); ok {
				seen[id]++
			}
		}
	}
	return seen
}

// One failed completion commit (no crash, the process keeps running) must
// not send the mail again: the outcome is known and should be retried.
func TestFinishFailureDoesNotResend(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	srv, m := smtpServer(t)
	id := f.addMail("arben@example.net", "sportel.ack.finish@mkrs.example")
	js := &finishFailsOnce{JobStore: f.store}
	ob := outbox.New(js, m, nil, outbox.Config{Workers: 1, Lease: outbox.MinLease, Poll: 50 * time.Millisecond}, testutil.DiscardLogger())
	testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
	testutil.Eventually(t, "job recorded done", 20*time.Second, func() (bool, error) {
		return f.job(id).State == inquiry.JobDone, nil
	})
	var data [][]byte
	for _, mail := range srv.Mails() {
		data = append(data, mail.Data)
	}
	seen := messageIDs(data)
	for mid, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times after one failed completion commit (no crash); want 1", mid, n)
		}
	}
}
