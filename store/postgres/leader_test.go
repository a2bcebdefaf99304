package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

// The leader lease passes between instances only when it is free: resigned,
// or expired by the database's clock. An expired lease is made with a ttl of
// a microsecond, which has passed before the next statement arrives.
func TestLeaderLease(t *testing.T) {
	const live, gone = time.Minute, time.Microsecond
	type step struct {
		op     string // lead, resign
		owner  string
		ttl    time.Duration
		want   bool   // lead: holds it now
		holder string // LeaseHolder afterwards
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"a free lease goes to the first asker", []step{
			{"lead", "a", live, true, "a"},
		}},
		{"the holder renews, another is refused while it is live", []step{
			{"lead", "a", live, true, "a"},
			{"lead", "b", live, false, "a"},
			{"lead", "a", live, true, "a"},
			{"lead", "b", live, false, "a"},
		}},
		{"an expired lease goes to the next asker", []step{
			{"lead", "a", gone, true, ""},
			{"lead", "b", live, true, "b"},
			{"lead", "a", live, false, "b"},
		}},
		{"the holder renews its own expired lease", []step{
			{"lead", "a", gone, true, ""},
			{"lead", "a", live, true, "a"},
		}},
		{"resigning frees the lease at once", []step{
			{"lead", "a", live, true, "a"},
			{"resign", "a", 0, false, ""},
			{"lead", "b", live, true, "b"},
		}},
		{"resigning a lease one does not hold changes nothing", []step{
			{"lead", "a", live, true, "a"},
			{"resign", "b", 0, false, "a"},
			{"lead", "b", live, false, "a"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, _ := openFresh(t)
			ctx := context.Background()
			for i, st := range c.steps {
				switch st.op {
				case "lead":
					got, err := s.TryLead(ctx, st.owner, st.ttl)
					if err != nil || got != st.want {
						t.Fatalf("step %d: TryLead(%s) = %v, %v; want %v", i, st.owner, got, err, st.want)
					}
				case "resign":
					if err := s.Resign(ctx, st.owner); err != nil {
						t.Fatalf("step %d: Resign(%s): %v", i, st.owner, err)
					}
				}
				holder, until, err := s.LeaseHolder(ctx)
				if err != nil || holder != st.holder {
					t.Fatalf("step %d: LeaseHolder = %q, %v; want %q", i, holder, err, st.holder)
				}
				if holder != "" && time.Until(until) < live/2 {
					t.Errorf("step %d: lease of %s ends %v, want about a minute ahead", i, holder, until)
				}
			}
		})
	}
}

func TestLeaderLeaseRefusesBadArguments(t *testing.T) {
	s, _ := openFresh(t)
	for _, c := range []struct {
		owner string
		ttl   time.Duration
	}{{"", time.Second}, {"a", 0}, {"a", -time.Second}} {
		if ok, err := s.TryLead(context.Background(), c.owner, c.ttl); err == nil || ok {
			t.Errorf("TryLead(%q, %v) = %v, %v; want an error", c.owner, c.ttl, ok, err)
		}
	}
}

// Instances on their own connections ask at once: exactly one leads.
func TestLeaderLeaseOneWinner(t *testing.T) {
	a, dsn := openFresh(t)
	stores := []interface {
		TryLead(context.Context, string, time.Duration) (bool, error)
	}{a, second(t, dsn), second(t, dsn), second(t, dsn)}
	var wg sync.WaitGroup
	won := make(chan string, len(stores))
	for i, s := range stores {
		wg.Go(func() {
			owner := fmt.Sprint("instance-", i)
			ok, err := s.TryLead(context.Background(), owner, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won <- owner
			}
		})
	}
	wg.Wait()
	close(won)
	var winners []string
	for w := range won {
		winners = append(winners, w)
	}
	holder, _, err := a.LeaseHolder(context.Background())
	if len(winners) != 1 || err != nil || holder != winners[0] {
		t.Errorf("winners %v, holder %q (%v); want exactly one, holding the lease", winners, holder, err)
	}
}

// A lease renewal waiting on a row that a finishing transaction holds must
// not hold another row that transaction needs next: both lock jobs in id
// order, so the finish completes and the renewal follows.
func TestRenewLeasesBesideFinishNoDeadlock(t *testing.T) {
	s, dsn := openFresh(t)
	ctx := context.Background()
	var ids []int64
	if err := s.WithTx(ctx, func(tx store.Tx) error {
		for i := range 2 {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), NextAt: t0, CreatedAt: t0}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids = append(ids, j.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if claimed, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 2); err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	// The lower id's row gets a newer version, stored after the higher
	// one's: a plain UPDATE's scan meets the higher id first.
	raw := rawConn(t, dsn)
	if _, err := raw.Exec(ctx, `UPDATE jobs SET last_error = 'x' WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	// Whatever plan the renewal gets: a sequential scan meets rows in
	// their physical order (a small table's index scan would not).
	if _, err := raw.Exec(ctx, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET enable_indexscan = off', current_database());
		EXECUTE format('ALTER DATABASE %I SET enable_bitmapscan = off', current_database()); END $$`); err != nil {
		t.Fatal(err)
	}
	renewer := second(t, dsn)
	finisher, err := raw.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer finisher.Rollback(ctx)
	if _, err := finisher.Exec(ctx, `UPDATE jobs SET state = 'done' WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	renewed := make(chan error, 1)
	go func() {
		lost, err := renewer.RenewLeases(ctx, "w", []int64{ids[1], ids[0]}, t0.Add(time.Hour))
		if err == nil && len(lost) != 2 {
			// The finisher marked both done before the renewal read them.
			err = fmt.Errorf("lost %v, want both (finished meanwhile)", lost)
		}
		renewed <- err
	}()
	watch := rawConn(t, dsn)
	testutil.Eventually(t, "the renewal waiting on the finisher's row", 20*time.Second, func() (bool, error) {
		var n int
		err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%lease_until%'`).Scan(&n)
		return n == 1, err
	})
	if _, err := finisher.Exec(ctx, `UPDATE jobs SET state = 'done' WHERE id = $1`, ids[1]); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "40P01" {
			t.Fatalf("the finisher deadlocked with the renewal: %v", err)
		}
		t.Fatal(err)
	}
	if err := finisher.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-renewed; err != nil {
		t.Errorf("RenewLeases beside the finisher: %v", err)
	}
}
