package desk_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

// panickyClassifier crashes on a message whose text holds "crash".
type panickyClassifier struct{ fixedClassifier }

func (c panickyClassifier) Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	if strings.Contains(m.Text, "crash") {
		var p *inquiry.Ticket
		_ = p.Number // the kind of bug one odd message finds
	}
	return c.fixedClassifier.Classify(ctx, m)
}

// panickyStore crashes while filing a ticket whose subject holds "crash",
// inside the transaction.
type panickyStore struct{ desk.Store }

type panickyTx struct{ store.Tx }

func (s panickyStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.WithTx(ctx, func(tx store.Tx) error { return fn(panickyTx{tx}) })
}

func (tx panickyTx) CreateTicket(t *inquiry.Ticket) error {
	if strings.Contains(t.Subject, "crash") {
		panic("ticket number out of range")
	}
	return tx.Tx.CreateTicket(t)
}

// A bug met on one message (in classification, which runs on goroutines of
// its own, or inside the intake transaction) fails that message alone with
// an error, writing nothing of it; the daemon goes on, and the message after
// it is taken in. The watcher sets a message that keeps failing aside.
func TestInternalErrorFailsOneMessage(t *testing.T) {
	tests := []struct {
		name          string
		subject, text string
	}{
		{"classifier", "pyetje", "crash"},
		{"intake transaction", "crash", "pyetje"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureStore(t, filepath.Join(t.TempDir(), "sportel.db"),
				panickyClassifier{fixedClassifier{inquiry.GeneralQuestion, inquiry.Albanian}}, nil,
				func(s desk.Store) desk.Store { return panickyStore{s} })
			bad := citizen("bad@example.net", "arta@example.org", tt.subject, tt.text)
			good := citizen("good@example.net", "besa@example.org", "pyetje", "Kur hapet pishina?")
			for _, m := range []*inquiry.Message{bad, good} {
				m.SourceID, m.ReceivedAt, m.Channel = "msgid:"+m.MessageID, f.now, inquiry.ChannelEmail
			}
			ds, err := f.desk.HandleBatch(context.Background(), []*inquiry.Message{bad, good})
			if err == nil || !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), bad.SourceID) {
				t.Fatalf("HandleBatch: %v, %v; want an internal error naming %s", ds, err, bad.SourceID)
			}
			if len(f.tickets()) != 0 {
				t.Errorf("tickets written for the failed message: %+v", f.tickets())
			}
			if d, err := f.desk.Handle(context.Background(), good); err != nil || d != inquiry.Filed {
				t.Errorf("the next message: %s, %v; want filed", d, err)
			}
		})
	}
}

// A classification that fails for one message of a batch is blamed on that
// message: the ones before it are taken in and the error names it. Blamed
// on the batch's first message, an innocent mail would be set aside.
func TestClassifyErrorBlamesItsMessage(t *testing.T) {
	f := newFixtureStore(t, filepath.Join(t.TempDir(), "sportel.db"),
		panickyClassifier{fixedClassifier{inquiry.GeneralQuestion, inquiry.Albanian}}, nil, nil)
	var batch []*inquiry.Message
	for i, text := range []string{"Kur hapet pishina?", "A ka bursa?", "crash", "Orari i bibliotekës?"} {
		m := citizen(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("c%d@example.org", i), "pyetje", text)
		m.SourceID, m.ReceivedAt, m.Channel = "msgid:"+m.MessageID, f.now, inquiry.ChannelEmail
		batch = append(batch, m)
	}
	ds, err := f.desk.HandleBatch(context.Background(), batch)
	if len(ds) != 2 || err == nil || !strings.Contains(err.Error(), batch[2].SourceID) {
		t.Fatalf("HandleBatch: %v, %v; want the first two taken in and an error naming %s", ds, err, batch[2].SourceID)
	}
	if n := len(f.tickets()); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
}
