package inbox

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/inquiry"
)

// stopAtStore is the memory server, where the nth STORE (the settle
// flagging a batch \Seen) first asks the watcher to stop and then waits a
// little before it is carried out: a shutdown arriving while a batch is
// being moved.
type stopAtStore struct {
	imapserver.SessionIMAP4rev2
	stores *atomic.Int32
	nth    int32
	stop   func()
}

func (s stopAtStore) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	if s.stores.Add(1) == s.nth {
		go s.stop()
		// Time for a shutdown that closes the connection to do so.
		time.Sleep(100 * time.Millisecond)
	}
	return s.SessionIMAP4rev2.Store(w, numSet, flags, options)
}

// A shutdown while a batch is being moved lets the move finish: the mail is
// in the processed mailbox and the checkpoint past it, not left in INBOX to
// be read again at the next start. A batch alone and a backlog's last
// batch are moved while the watcher waits; a backlog's earlier batches
// while it takes in the next.
func TestShutdownLetsTheMoveFinish(t *testing.T) {
	tests := []struct {
		name     string
		messages int
		batch    int
		stopAt   int32 // the STORE that the shutdown comes in
	}{
		{"a batch alone", 3, 10, 1},
		{"a backlog's last batch", 6, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stores atomic.Int32
			stopReady := make(chan struct{})
			var stop func()
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return stopAtStore{SessionIMAP4rev2: s, stores: &stores, nth: tt.stopAt, stop: func() {
					<-stopReady
					stop()
				}}
			}})
			for i := range tt.messages {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("<stop%d@example.org>", i), fmt.Sprintf("mail %d", i), "x"), time.Time{})
			}
			desk := newTestDesk()
			cp := newMemCheckpoints()
			opts := baseOptions(ts)
			opts.BatchSize = tt.batch
			var w *Watcher
			w, stop = runWatcher(t, opts, desk, cp)
			close(stopReady)

			desk.waitHandled(t, tt.messages, 5*time.Second)
			ts.mailboxHolds(t, "Sportel/Processed", uint32(tt.messages), 5*time.Second)
			checkpointAt(t, w, cp, uint32(tt.messages))
			stop() // returns once Run has
			if n, _ := ts.status("INBOX"); n != 0 {
				t.Errorf("INBOX holds %d after the shutdown, want 0", n)
			}
		})
	}
}

// prepareAheadDesk is a desk that prepares ahead, stops the watcher while it
// prepares the second batch (fetched ahead while the first is taken in),
// and notes whether Run returned while it was still at work.
type prepareAheadDesk struct {
	*testDesk
	stop        context.CancelFunc
	handing     chan struct{} // the first batch has been handed over
	prepared    chan struct{} // the second batch is being prepared
	runReturned chan struct{}
	outlived    atomic.Bool
}

func (d *prepareAheadDesk) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	if ms[0].Subject == "mail 0" {
		close(d.handing)
		select {
		case <-d.prepared:
		case <-time.After(5 * time.Second):
		}
	}
	var disps []inquiry.Disposition
	for _, m := range ms {
		disp, err := d.Handle(ctx, m)
		if err != nil {
			return disps, err
		}
		disps = append(disps, disp)
	}
	return disps, nil
}

func (d *prepareAheadDesk) Prepare(ctx context.Context, ms []*inquiry.Message) {
	if ms[0].Subject != "mail 3" {
		return
	}
	// The batch fetched ahead may be ready before the first one is handed
	// over; a stop then would rightly take in nothing at all.
	select {
	case <-d.handing:
	case <-time.After(5 * time.Second):
	}
	close(d.prepared)
	d.stop()
	select {
	case <-d.runReturned:
		d.outlived.Store(true)
	case <-time.After(300 * time.Millisecond):
	}
}

// Run does not return while work it started goes on: a batch fetched and
// prepared ahead is waited for (its fetch is not cut off under it), so
// nothing of the watcher reads the connection or calls the desk after Run
// has returned and the daemon closes its store.
func TestShutdownWaitsForTheBatchFetchedAhead(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	for i := range 6 {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("<ahead%d@example.org>", i), fmt.Sprintf("mail %d", i), "x"), time.Time{})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &prepareAheadDesk{testDesk: newTestDesk(), stop: cancel, handing: make(chan struct{}), prepared: make(chan struct{}), runReturned: make(chan struct{})}
	opts := baseOptions(ts)
	opts.BatchSize = 3
	w, err := NewWatcher(opts, d, newMemCheckpoints())
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() {
		runErr <- w.Run(ctx)
		close(d.runReturned)
	}()
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the stop")
	}
	if d.outlived.Load() {
		t.Error("Run returned while the batch fetched ahead was still being prepared")
	}
	if n, _ := ts.status("Sportel/Processed"); n != 3 {
		t.Errorf("%d messages moved, want the first batch's 3", n)
	}
	if n, _ := ts.status("INBOX"); n != 3 {
		t.Errorf("INBOX holds %d, want the second batch's 3, not taken in", n)
	}
}
