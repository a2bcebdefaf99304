package inbox

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
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
