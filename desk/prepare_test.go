package desk_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"sportel/classifier"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

// preparedBacklog is mail whose later messages depend on earlier ones: a
// redelivery, a reply by reference and one by ticket number to the first
// inquiry, a stranger's mail naming that ticket, machine mail, mail with
// nothing usable, and a redelivery of a later inquiry.
func preparedBacklog(f *fixture) []*inquiry.Message {
	bounce := citizen("bounce@mx.example", "MAILER-DAEMON@mx.example", "Undelivered", "550")
	bounce.Automation, bounce.AutomationReason = inquiry.Machine, "delivery report"
	reply := citizen("reply@example.net", "arben@example.net", "Re: Kërkesë", "Edhe aneksin, ju lutem.")
	reply.InReplyTo = []string{"a@example.net"}
	msgs := []*inquiry.Message{
		citizen("a@example.net", "arben@example.net", "Kërkesë", docRequestSQ),
		citizen("b@example.net", "besa@example.net", "Pyetje", "Kur hapet muzeu etnologjik të dielën?"),
		bounce,
		citizen("a@example.net", "arben@example.net", "Kërkesë", docRequestSQ), // the first again
		reply,
		citizen("c@example.net", "arben@example.net", "Re: [DKP-2026-000001]", "Edhe raportin, ju lutem."),
		citizen("d@example.org", "stranger@example.org", "Re: [DKP-2026-000001]", "Dua edhe unë kontratën."),
		citizen("g@example.net", "genta@example.net", "Pyetje", "Sa kushton bileta e teatrit kombëtar?"),
		{MessageID: "e@example.net"}, // nothing usable: quarantined
		citizen("g@example.net", "genta@example.net", "Pyetje", "Sa kushton bileta e teatrit kombëtar?"),
	}
	for _, m := range msgs {
		m.Channel, m.ReceivedAt, m.SourceID = inquiry.ChannelEmail, f.now, "msgid:"+m.MessageID
	}
	return msgs
}

// outcome describes every ticket and its sends.
func outcome(f *fixture) string {
	var b strings.Builder
	for _, tk := range f.tickets() {
		fmt.Fprintf(&b, "%s %s %s %s %s %s %d jobs; ", tk.Number, tk.Sender.Address, tk.State, tk.Category, tk.OfficerID, tk.Mentions, len(f.jobs(tk.Number)))
	}
	return b.String()
}

// Whatever was prepared, and when, the outcome is that of handling the
// messages one by one: a preparation made before the chunk it depends on
// was committed is only an input the transaction overrules.
func TestPreparedBatchesMatchOneByOne(t *testing.T) {
	one := newFixture(t)
	var want []inquiry.Disposition
	for _, m := range preparedBacklog(one) {
		want = append(want, one.handle(m))
	}
	wantOutcome := outcome(one)

	ctx := context.Background()
	tests := []struct {
		name string
		run  func(d *desk.Desk, msgs []*inquiry.Message) ([]inquiry.Disposition, error)
	}{
		{"the next chunk prepared while this one is handled", func(d *desk.Desk, msgs []*inquiry.Message) ([]inquiry.Disposition, error) {
			// As the watcher does, but Prepare finishes before the chunk
			// before it commits: every preparation is as stale as it gets.
			chunks := slices.Collect(slices.Chunk(msgs, 3))
			d.Prepare(ctx, chunks[0])
			return handleInChunks(ctx, d, chunks, func(i int) {
				if i+1 < len(chunks) {
					d.Prepare(ctx, chunks[i+1])
				}
			})
		}},
		{"everything prepared first", func(d *desk.Desk, msgs []*inquiry.Message) ([]inquiry.Disposition, error) {
			d.Prepare(ctx, msgs)
			return handleInChunks(ctx, d, slices.Collect(slices.Chunk(msgs, 4)), nil)
		}},
		{"part prepared, handled in other chunks", func(d *desk.Desk, msgs []*inquiry.Message) ([]inquiry.Disposition, error) {
			d.Prepare(ctx, msgs[2:7])
			return handleInChunks(ctx, d, slices.Collect(slices.Chunk(msgs, 2)), nil)
		}},
		{"prepared and then handled in one batch", func(d *desk.Desk, msgs []*inquiry.Message) ([]inquiry.Disposition, error) {
			d.Prepare(ctx, msgs)
			return d.HandleBatch(ctx, msgs)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			got, err := tt.run(f.desk, preparedBacklog(f))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("dispositions %v, one by one %v", got, want)
			}
			if o := outcome(f); o != wantOutcome {
				t.Errorf("tickets differ:\none by one: %s\nprepared:   %s", wantOutcome, o)
			}
		})
	}
}

// handleInChunks hands chunks to the desk in order, calling before(i), when
// set, ahead of chunk i, and stops at the first error.
func handleInChunks(ctx context.Context, d *desk.Desk, chunks [][]*inquiry.Message, before func(i int)) ([]inquiry.Disposition, error) {
	var out []inquiry.Disposition
	for i, c := range chunks {
		if before != nil {
			before(i)
		}
		ds, err := d.HandleBatch(ctx, c)
		out = append(out, ds...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// What Prepare classified is not classified again by HandleBatch; a
// message it was not given is classified as before.
func TestPreparedMessagesAreNotClassifiedAgain(t *testing.T) {
	f, counter := newCountingFixture(t)
	msgs := newInquiries(f, 0, 5)
	f.desk.Prepare(context.Background(), msgs[:3])
	if n := counter.calls.Load(); n != 3 {
		t.Fatalf("Prepare classified %d messages, want 3", n)
	}
	ds, err := f.desk.HandleBatch(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	checkFiled(t, f, ds, 5, "")
	if n := counter.calls.Load(); n != 5 {
		t.Errorf("%d classifications in all, want 5 (3 prepared, 2 not)", n)
	}
}

// A prepared chunk is kept while three more are prepared (the watcher
// prepares a batch's first chunk as it arrives, beside the chunks of the
// batch in hand); the fifth preparation lets it go, and its messages are
// then classified again when handled.
func TestPreparedChunksKeptForFourPreparations(t *testing.T) {
	for _, tt := range []struct {
		later, want int // preparations after the first; classifications in all
	}{
		{3, 8},  // four preparations of two, none classified again
		{4, 12}, // five of two, and the first two again
	} {
		t.Run(fmt.Sprintf("%d later", tt.later), func(t *testing.T) {
			f, counter := newCountingFixture(t)
			msgs := newInquiries(f, 0, 2*(tt.later+1))
			first := msgs[:2]
			f.desk.Prepare(context.Background(), first)
			for i := range tt.later {
				f.desk.Prepare(context.Background(), msgs[2*(i+1):2*(i+2)])
			}
			ds, err := f.desk.HandleBatch(context.Background(), first)
			if err != nil {
				t.Fatal(err)
			}
			checkFiled(t, f, ds, 2, "")
			if n := counter.calls.Load(); int(n) != tt.want {
				t.Errorf("%d classifications, want %d", n, tt.want)
			}
		})
	}
}

// failingStore fails every transaction while down is set.
type failingStore struct {
	desk.Store
	down *atomic.Bool
}

var errStoreDown = errors.New("database is locked: disk I/O error")

func (s failingStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	if s.down.Load() {
		return errStoreDown
	}
	return s.Store.WithTx(ctx, fn)
}

// A chunk prepared and then refused by a failing store behaves as without
// the preparation: the same error and nothing taken in; once the store is
// back, the same messages (prepared or not) are filed as they would have
// been.
func TestPreparedChunkThenStoreFailure(t *testing.T) {
	builtin, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// result is what HandleBatch answered with the store down, and then
	// once it is back.
	type result struct {
		failed  []inquiry.Disposition
		failErr error
		ds      []inquiry.Disposition
		outcome string
	}
	run := func(t *testing.T, prepare bool) result {
		down := new(atomic.Bool)
		f := newFixtureStore(t, filepath.Join(t.TempDir(), "sportel.db"), builtin, nil, func(s desk.Store) desk.Store {
			return failingStore{Store: s, down: down}
		})
		msgs := preparedBacklog(f)
		if prepare {
			f.desk.Prepare(context.Background(), msgs)
		}
		var r result
		down.Store(true)
		r.failed, r.failErr = f.desk.HandleBatch(context.Background(), msgs)
		down.Store(false)
		// The watcher hands the same mail over again, fetched anew; the
		// retry may be prepared too.
		again := preparedBacklog(f)
		if prepare {
			f.desk.Prepare(context.Background(), again)
		}
		var err error
		if r.ds, err = f.desk.HandleBatch(context.Background(), again); err != nil {
			t.Fatalf("after the store is back: %v", err)
		}
		r.outcome = outcome(f)
		return r
	}
	want := run(t, false)
	if want.failErr == nil || len(want.failed) != 0 {
		t.Fatalf("without preparation: %v, %v; want nothing taken in and an error", want.failed, want.failErr)
	}
	got := run(t, true)
	if !errors.Is(got.failErr, errStoreDown) || got.failErr.Error() != want.failErr.Error() || len(got.failed) != 0 {
		t.Errorf("store down: %v, %v; want %v, %v", got.failed, got.failErr, want.failed, want.failErr)
	}
	if !slices.Equal(got.ds, want.ds) {
		t.Errorf("after recovery: %v, want %v", got.ds, want.ds)
	}
	if got.outcome != want.outcome {
		t.Errorf("tickets differ:\nunprepared: %s\nprepared:   %s", want.outcome, got.outcome)
	}
}
