package desk_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"sportel/classifier"
	"sportel/desk"
	"sportel/inquiry"
)

// roomRecorder is an outbox's room as the desk sees it: it records what is
// handed over.
type roomRecorder struct {
	room      int
	until     time.Time
	delivered [][]inquiry.Job
}

func (r *roomRecorder) Room() int                  { return r.room }
func (r *roomRecorder) Claim() (string, time.Time) { return "outbox-1", r.until }
func (r *roomRecorder) Deliver(jobs []inquiry.Job) { r.delivered = append(r.delivered, jobs) }

type handoffRecorder struct {
	room  int // per reservation
	until time.Time
	rooms []*roomRecorder
}

func (h *handoffRecorder) Reserve(max int) desk.JobRoom {
	r := &roomRecorder{room: min(max, h.room), until: h.until}
	h.rooms = append(h.rooms, r)
	return r
}

// A batch's due jobs are written claimed by the outbox while its room
// lasts and handed over after the commit; the outbox is poked only for
// what it must claim itself. A transaction that fails hands over nothing
// and gives the room back.
func TestHandleBatchHandsJobsToTheOutbox(t *testing.T) {
	tests := []struct {
		name     string
		room     int // per transaction
		wantPoke bool
	}{
		{"room for every job", 100, false},
		{"room for one job", 1, true},
		{"no room", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &handoffRecorder{room: tt.room}
			pokes := 0
			f := newFixtureConfig(t, nil, func(c *desk.Config) {
				c.Handoff = h
				c.JobsQueued = func() { pokes++ }
			})
			h.until = f.now.Add(time.Minute)
			msgs := []*inquiry.Message{
				citizen("a@example.net", "arben@example.net", "Kërkesë", docRequestSQ),
				citizen("b@example.net", "besa@example.net", "Pyetje", "Kur hapet muzeu etnologjik të dielën?"),
			}
			for _, m := range msgs {
				m.ReceivedAt, m.SourceID, m.Channel = f.now, "msgid:"+m.MessageID, inquiry.ChannelEmail
			}
			if _, err := f.desk.HandleBatch(context.Background(), msgs); err != nil {
				t.Fatal(err)
			}
			// One reservation and one delivery per transaction.
			var handed []inquiry.Job
			for _, r := range h.rooms {
				if len(r.delivered) != 1 {
					t.Fatalf("a reservation delivered %d times, want once", len(r.delivered))
				}
				handed = append(handed, r.delivered[0]...)
			}
			var all []inquiry.Job
			for _, tk := range f.tickets() {
				all = append(all, f.jobs(tk.Number)...)
			}
			if len(all) < 4 {
				t.Fatalf("%d jobs for two new inquiries, want an acknowledgement and a notification each", len(all))
			}
			if want := min(tt.room*len(h.rooms), len(all)); len(handed) != want {
				t.Fatalf("%d jobs handed over in %d transactions, want %d of %d", len(handed), len(h.rooms), want, len(all))
			}
			// Everything handed over is claimed by the outbox in the store;
			// the rest is free for the outbox's own claim.
			others, err := f.store.ClaimJobs(context.Background(), "another", f.now, time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(others)+len(handed) != len(all) {
				t.Errorf("another outbox claims %d jobs, %d were handed over, of %d", len(others), len(handed), len(all))
			}
			for _, j := range handed {
				if j.ID == 0 || j.Attempts != 1 || j.State != inquiry.JobPending {
					t.Errorf("handed over job %+v; want stored, pending, on its first attempt", j)
				}
				for _, o := range others {
					if o.ID == j.ID {
						t.Errorf("job %d was handed over and is claimable by another outbox", j.ID)
					}
				}
			}
			if (pokes > 0) != tt.wantPoke {
				t.Errorf("outbox poked %d times; want a poke %v", pokes, tt.wantPoke)
			}
		})
	}

	t.Run("failed transaction", func(t *testing.T) {
		h := &handoffRecorder{room: 100}
		var down atomic.Bool
		down.Store(true)
		builtin, err := classifier.New(classifier.Options{})
		if err != nil {
			t.Fatal(err)
		}
		failing := newFixtureStore(t, filepath.Join(t.TempDir(), "sportel.db"), builtin, func(c *desk.Config) { c.Handoff = h },
			func(s desk.Store) desk.Store { return failingStore{Store: s, down: &down} })
		h.until = failing.now.Add(time.Minute)
		m := citizen("a@example.net", "arben@example.net", "Kërkesë", docRequestSQ)
		m.ReceivedAt, m.SourceID, m.Channel = failing.now, "msgid:"+m.MessageID, inquiry.ChannelEmail
		if _, err := failing.desk.HandleBatch(context.Background(), []*inquiry.Message{m}); err == nil {
			t.Fatal("HandleBatch on a failing store succeeded")
		}
		if len(h.rooms) != 1 || len(h.rooms[0].delivered) != 1 || len(h.rooms[0].delivered[0]) != 0 {
			t.Fatalf("deliveries %v; want one, of nothing, giving the room back", h.rooms[0].delivered)
		}
	})
}
