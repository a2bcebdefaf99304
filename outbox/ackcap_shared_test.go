package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/store"
	"sportel/store/drivers"
)

// Two instances on one PostgreSQL database, four workers each, a relay
// slow enough that their sends overlap: together they let no more than
// the cap through, because each send is admitted in the database, which
// sees both instances' sends in flight. Counted by each instance alone,
// both could fill the hour's cap at once.
func TestAckCapSharedByInstances(t *testing.T) {
	ctx := context.Background()
	dsn := cluster.Database(t)
	open := func() store.Store {
		st, err := drivers.Open(ctx, drivers.Options{Driver: "postgres", DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	stA, stB := open(), open()
	f := newFixtureOn(t, stA)
	f.now = time.Now()
	const cap, queued = 5, 20
	for i := range queued {
		f.addMail(fmt.Sprintf("victim+%d@example.org", i), fmt.Sprintf("sportel.ack.%d@mkrs.example", i))
	}
	srv, mA := smtpServer(t)
	mB := mailerTo(t, srv)
	// Every send waits at RCPT, so both instances have sends in flight
	// while they admit their next ones.
	srv.SetReject(func(string) error { time.Sleep(100 * time.Millisecond); return nil })

	now := f.now // fixed: held acks are not due again while the test runs
	var nA, nB notices
	var stops []func()
	for _, inst := range []struct {
		st store.Store
		n  *notices
		m  *mailer.Mailer
	}{{stA, &nA, mA}, {stB, &nB, mB}} {
		ob := outbox.New(inst.st, inst.m, nil,
			outbox.Config{Workers: 4, Lease: time.Minute, AcksPerHour: cap, AckCapNotice: inst.n.notice}, testutil.DiscardLogger())
		ob.SetClock(func() time.Time { return now })
		stops = append(stops, testutil.RunBackground(t, "Run", 20*time.Second, ob.Run))
	}
	testutil.Eventually(t, "every ack sent or held", 20*time.Second, func() (bool, error) {
		held, err := stA.CountHeldJobs(ctx)
		sent, _, serr := stA.SentJobs(ctx, inquiry.JobAck, now.Add(-time.Hour))
		return held+sent == queued, errors.Join(err, serr)
	})
	for _, stop := range stops {
		stop()
	}
	if got := srv.Count(); got != cap {
		t.Errorf("%d acks reached the relay from two instances, want the cap, %d", got, cap)
	}
	if sent, _, err := stA.SentJobs(ctx, inquiry.JobAck, now.Add(-time.Hour)); err != nil || sent != cap {
		t.Errorf("acks recorded as sent: %d (%v), want %d", sent, err, cap)
	}
	if len(nA.held)+len(nB.held) == 0 {
		t.Error("no instance asked for the officers' notice")
	}
}
