package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
)

// A store that goes down while an outbox has jobs in hand: a mail sent then
// cannot be recorded, and once its lease runs out out another instance
// sends it again. The outbox holds its sends back until the store answers,
// so only what was in flight when the outage began can go out unrecorded,
// and a second instance, started when the store is back, sends nothing a
// second time beyond that.
func TestStoreOutageHoldsSendsBack(t *testing.T) {
	const jobs, workers = 60, 2
	f := newFixture(t)
	srv, m := smtpServer(t)
	// Each send takes a while, as a relay across the network does.
	srv.SetReject(func(string) error { time.Sleep(20 * time.Millisecond); return nil })
	for i := range jobs {
		f.addMail(fmt.Sprintf("qytetar%d@example.net", i), fmt.Sprintf("sportel.ack.outage%d@mkrs.example", i))
	}
	js := &storeDown{JobStore: f.store}
	cfg := outbox.Config{Workers: workers, Lease: outbox.MinLease, Poll: 50 * time.Millisecond}
	first := outbox.New(js, m, nil, cfg, testutil.DiscardLogger())
	testutil.RunBackground(t, "first outbox", 30*time.Second, first.Run)
	testutil.Eventually(t, "a few mails sent", 20*time.Second, func() (bool, error) {
		return len(srv.Mails()) >= 3, nil
	})

	js.down.Store(true)
	// Sent but not yet recorded when the store went down: completions are
	// committed in batches behind the sends, so under load more than one a
	// worker can wait. Read from the store itself, before the wire, this
	// is never less than what the outage left unrecorded.
	doneAtDown := doneJobs(t, f)
	atDown := len(srv.Mails())
	unrecorded := atDown - doneAtDown
	// Past the lease: what the first outbox sent in the outage is free for
	// the next claim when the store is back.
	time.Sleep(outbox.MinLease + time.Second)
	inOutage := len(srv.Mails()) - atDown
	js.down.Store(false)
	// In flight when the store went down: one send per worker, and the next
	// each began before the first completion failed.
	if inOutage > 2*workers {
		t.Errorf("%d mails sent while the store was down, none of them recorded; want at most %d (in flight when it went down)", inOutage, 2*workers)
	}

	second := outbox.New(f.store, mailerTo(t, srv), nil, cfg, testutil.DiscardLogger())
	testutil.RunBackground(t, "second outbox", 30*time.Second, second.Run)
	f.waitJobsDone(t, jobs, 30*time.Second)
	var data [][]byte
	for _, mail := range srv.Mails() {
		data = append(data, mail.Data)
	}
	seen := messageIDs(data)
	if len(seen) != jobs {
		t.Errorf("%d distinct mails sent, want %d", len(seen), jobs)
	}
	twice := 0
	for _, n := range seen {
		twice += n - 1
	}
	// Sent twice at most: those sent in the outage, and those sent before
	// it whose completions it cut off.
	t.Logf("%d mails sent twice; %d sent in the outage, %d sent before it unrecorded", twice, inOutage, unrecorded)
	if twice > inOutage+unrecorded {
		t.Errorf("%d mails sent twice, more than the %d sent while the store was down and the %d sent before it but not recorded", twice, inOutage, unrecorded)
	}
}

// doneJobs counts f's ticket's jobs recorded done.
func doneJobs(t *testing.T, f *fixture) int {
	t.Helper()
	all, err := f.store.TicketJobs(context.Background(), f.ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range all {
		if j.State == inquiry.JobDone {
			n++
		}
	}
	return n
}
