package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/postgres"
)

// pgCluster is the package's private PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var pgCluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(pgCluster.Main(m)) }

// newPostgresMemStack is newMemStack with its store in a fresh PostgreSQL
// database; it skips without PostgreSQL.
func newPostgresMemStack(tb testing.TB) *stack {
	tb.Helper()
	dsn := pgCluster.Database(tb)
	s := newMemStack(tb)
	s.cfg.Store.Driver, s.cfg.Store.DSN = "postgres", dsn
	return s
}

func BenchmarkBacklogPostgres(b *testing.B) { benchBacklog(b, newPostgresMemStack) }

func BenchmarkRealisticBacklogPostgres(b *testing.B) { benchRealistic(b, newPostgresMemStack) }

// `sportel run` on PostgreSQL files a backlog as on SQLite, numbers without
// gaps across a restart, and, taking no instance lock, leaves alone the
// jobs another instance has claimed (SQLite's run frees them at start).
func TestE2EPostgres(t *testing.T) {
	t.Parallel()
	s := newPostgresMemStack(t)
	ctx := context.Background()

	// Another instance's claim: due before everything else, leased for long.
	other, err := postgres.Open(ctx, s.cfg.Store.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	past := time.Now().Add(-time.Hour)
	if err := other.WithTx(ctx, func(tx store.Tx) error {
		return tx.AddJob(&inquiry.Job{Kind: inquiry.JobAck, Recipient: "ghost@example.net", NextAt: past, CreatedAt: past,
			Mail: &inquiry.Mail{MessageID: "ghost@sportel", Date: past, From: inquiry.Address{Address: publicAddress},
				To: []inquiry.Address{{Address: "ghost@example.net"}}, Subject: "x", Text: "x"}})
	}); err != nil {
		t.Fatal(err)
	}
	if claimed, err := other.ClaimJobs(ctx, "other-instance", time.Now(), time.Hour, 1); err != nil || len(claimed) != 1 {
		t.Fatalf("the other instance's claim: %v, %v", claimed, err)
	}

	acks := &ackCounter{smtp: s.smtp}
	for round, n := range []int{20, 5} {
		for k := range n {
			s.append(benchMail(fmt.Sprintf("pg%d", round), k))
		}
		want := 20 + 5*round
		a, stop := s.serve()
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := acks.waitAcks(wctx, want)
		cancel()
		if err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, s.logs)
		}
		testutil.Eventually(t, "every message moved to "+processedBox, 20*time.Second, func() (bool, error) {
			return s.countOrZero(processedBox) == want, nil
		})
		tickets, err := a.Store().ListTickets(ctx, inquiry.TicketFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got, wantNumbers []string
		for i, tk := range tickets {
			got = append(got, tk.Number)
			wantNumbers = append(wantNumbers, fmt.Sprintf("DKP-%d-%06d", time.Now().Year(), i+1))
		}
		slices.Sort(got)
		if len(got) != want || !slices.Equal(got, wantNumbers) {
			t.Errorf("round %d: ticket numbers %v, want %d numbered from 1 without gaps", round, got, want)
		}
		stop()
	}
	all := s.wireMails()
	uniqueMessageIDs(t, all)
	for _, m := range all {
		if slices.Contains(m.envelopeTo, "ghost@example.net") {
			t.Errorf("the other instance's claimed job was sent by this one")
		}
	}
	pending, err := other.ListJobs(ctx, inquiry.JobPending, 0)
	if err != nil || len(pending) != 1 || pending[0].Recipient != "ghost@example.net" || pending[0].Attempts != 1 {
		t.Errorf("pending jobs = %+v, %v; want only the other instance's, still claimed once", pending, err)
	}
}
