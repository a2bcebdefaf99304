package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/postgres"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// second opens another store on dsn: what a second instance of the daemon
// would hold.
func second(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open a second store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawConn is a plain connection, to look at the database from outside.
func rawConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func newTicket(number string) *inquiry.Ticket {
	return &inquiry.Ticket{Number: number, Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
		Sender: inquiry.Address{Address: "arta@example.org"}, ReceivedAt: t0, UpdatedAt: t0}
}

// Two instances filing at once, some of their transactions rolled back after
// drawing a number, leave tickets numbered 1..n: no number twice, none
// skipped.
func TestTicketNumbersTwoInstances(t *testing.T) {
	a, dsn := openFresh(t)
	b := second(t, dsn)
	ctx := context.Background()
	errRollback := errors.New("roll back on purpose")
	const perWorker, workers = 6, 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	var committed, rolledBack int
	for w := range workers {
		st := []*postgres.Store{a, b}[w%2]
		wg.Go(func() {
			for i := range perWorker {
				err := st.WithTx(ctx, func(tx store.Tx) error {
					n, err := tx.NextSequence("DKP", 2026)
					if err != nil {
						return err
					}
					if err := tx.CreateTicket(newTicket(fmt.Sprintf("DKP-2026-%06d", n))); err != nil {
						return err
					}
					if (w+i)%3 == 0 {
						return errRollback
					}
					return nil
				})
				mu.Lock()
				switch {
				case err == nil:
					committed++
				case errors.Is(err, errRollback):
					rolledBack++
				default:
					t.Errorf("worker %d: %v", w, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	tickets, err := a.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, tk := range tickets {
		got = append(got, tk.Number)
	}
	for n := 1; n <= committed; n++ {
		want = append(want, fmt.Sprintf("DKP-2026-%06d", n))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("numbers after %d commits and %d rollbacks:\n got %v\nwant %v", committed, rolledBack, got, want)
	}
	if rolledBack == 0 || committed == 0 {
		t.Fatalf("the test did not mix commits (%d) and rollbacks (%d)", committed, rolledBack)
	}
}

// A claim does not wait for rows another transaction holds: it takes the
// others (SKIP LOCKED), and the held ones stay pending and unclaimed.
func TestClaimSkipsLockedJobs(t *testing.T) {
	s, dsn := openFresh(t)
	ctx := context.Background()
	var ids []int64
	if err := s.WithTx(ctx, func(tx store.Tx) error {
		for i := range 4 {
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
	holder := rawConn(t, dsn)
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT id FROM jobs WHERE id = ANY($1) FOR UPDATE`, ids[:2]); err != nil {
		t.Fatal(err)
	}
	// Without SKIP LOCKED the claim would wait for tx until this deadline.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	claimed, err := s.ClaimJobs(cctx, "w", t0, time.Minute, 10)
	if err != nil {
		t.Fatalf("ClaimJobs beside a transaction holding two jobs: %v", err)
	}
	var got []int64
	for _, j := range claimed {
		got = append(got, j.ID)
	}
	if !slices.Equal(got, ids[2:]) {
		t.Errorf("claimed %v, want the two free jobs %v", got, ids[2:])
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	claimed, err = s.ClaimJobs(ctx, "w2", t0, time.Minute, 10)
	if err != nil || len(claimed) != 2 || claimed[0].ID != ids[0] || claimed[0].Attempts != 1 {
		t.Errorf("claim after the holder let go = %+v, %v; want jobs %v, first attempt", claimed, err, ids[:2])
	}
}

// Two instances taking the same message in: the second's MarkSource waits
// for the first transaction, then learns the message is taken (first
// committed) or takes it itself (first rolled back).
func TestMarkSourceRace(t *testing.T) {
	cases := []struct {
		name    string
		first   error // how the first transaction ends
		wantErr error // what the second's MarkSource returns
	}{
		{"first commits", nil, store.ErrSourceTaken},
		{"first rolls back", errors.New("classifier failed"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, dsn := openFresh(t)
			b := second(t, dsn)
			watch := rawConn(t, dsn)
			ctx := context.Background()
			marked, release := make(chan struct{}), make(chan struct{})
			firstDone := make(chan error, 1)
			go func() {
				firstDone <- a.WithTx(ctx, func(tx store.Tx) error {
					if err := tx.MarkSource("msgid:same@x", 0, t0); err != nil {
						return err
					}
					close(marked)
					<-release
					return c.first
				})
			}()
			<-marked
			secondDone := make(chan error, 1)
			go func() {
				secondDone <- b.WithTx(ctx, func(tx store.Tx) error { return tx.MarkSource("msgid:same@x", 0, t0) })
			}()
			testutil.Eventually(t, "the second MarkSource waiting on the first's row", 20*time.Second, func() (bool, error) {
				var waiting int
				err := watch.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
				return waiting > 0, err
			})
			close(release)
			if err := <-firstDone; !errors.Is(err, c.first) {
				t.Fatalf("first transaction = %v, want %v", err, c.first)
			}
			err := <-secondDone
			if c.wantErr == nil && err != nil || c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("second MarkSource = %v, want %v", err, c.wantErr)
			}
			taken, err := a.SourcesTaken(ctx, []string{"msgid:same@x"})
			if err != nil || !taken["msgid:same@x"] {
				t.Errorf("SourcesTaken = %v, %v; want the message taken once", taken, err)
			}
		})
	}
}

// migrationNames lists migrations/ as schema_version records them.
func migrationNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("list migrations: %v, %d files", err, len(files))
	}
	var names []string
	for _, f := range files {
		base := filepath.Base(f)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("migration %s: %v", base, err)
		}
		names = append(names, fmt.Sprint(v, " ", base))
	}
	return names
}

// newestMigration is the highest version in migrations/.
func newestMigration(t *testing.T) int {
	t.Helper()
	names := migrationNames(t)
	v, _, _ := strings.Cut(names[len(names)-1], " ")
	n, _ := strconv.Atoi(v)
	return n
}

// atVersion1 makes the database what Sportel's first PostgreSQL schema left:
// 0001 applied by hand, a ticket and its acknowledgement in it.
func atVersion1(t *testing.T, dsn string) {
	t.Helper()
	schema1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := rawConn(t, dsn)
	for _, q := range []string{
		string(schema1),
		`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
		`INSERT INTO schema_version VALUES (1, '0001_init.sql', now())`,
		`INSERT INTO tickets (number, channel, state, received_at, updated_at)
			VALUES ('DKP-2026-000001', 'email', 'assigned', '2026-03-02 09:30:00Z', '2026-03-02 09:30:00Z')`,
		// Ticket 2's mail was taken in two hours after its date, and
		// followed up later.
		`INSERT INTO tickets (number, channel, state, received_at, received_at_ns, updated_at)
			VALUES ('DKP-2026-000002', 'email', 'assigned', '2026-03-02 09:30:00Z', 5, '2026-03-02 09:30:00Z')`,
		`INSERT INTO sources (source_id, ticket_id, taken_at) VALUES ('msgid:late@example.org', 2, '2026-03-02 11:30:00Z'),
			('msgid:followup@example.org', 2, '2026-03-02 12:30:00Z')`,
		`INSERT INTO jobs (kind, ticket_id, recipient, mail, message_id, state, next_at, created_at)
			VALUES ('ack', 1, 'arta@example.org', '{"message_id": "ack.1@sportel"}', 'ack.1@sportel', 'pending',
				'2026-03-02 09:30:00Z', '2026-03-02 09:30:00Z')`,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
}

// upgradedFromVersion1 checks what atVersion1 wrote reads back after the
// upgrade, with none of the later fields set, and works as new data does.
func upgradedFromVersion1(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	s := second(t, dsn)
	tk, ok, err := s.TicketByNumber(ctx, "DKP-2026-000001")
	if err != nil || !ok {
		t.Fatalf("ticket from version 1: %v, %v", ok, err)
	}
	if tk.Urgent || tk.Extension != nil || tk.NotHeldMark != nil || tk.Ground != "" || !tk.DecidedAt.IsZero() ||
		tk.DecisionInAnswer || tk.Complaints != nil {
		t.Errorf("ticket from version 1 has a lifecycle: %+v", tk)
	}
	// When each was filed: when its first message was taken in, or with
	// none on record, its received_at.
	received := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	for number, want := range map[string]time.Time{"DKP-2026-000001": received, "DKP-2026-000002": received.Add(2 * time.Hour)} {
		tk, _, err := s.TicketByNumber(ctx, number)
		if err != nil || !tk.CreatedAt.Equal(want) {
			t.Errorf("%s from version 1 filed at %v (%v), want %v", number, tk.CreatedAt, err, want)
		}
	}
	if n, err := s.CountHeldJobs(ctx); err != nil || n != 0 {
		t.Errorf("CountHeldJobs = %d, %v; want 0", n, err)
	}
	err = s.WithTx(ctx, func(tx store.Tx) error {
		j, ok, err := tx.JobByMessageID("ack.1@sportel")
		if err != nil || !ok || j.Key != "" || j.Kind != inquiry.JobAck {
			return fmt.Errorf("job from version 1 = %+v, %v, %v; want the ack, no key", j, ok, err)
		}
		added, err := tx.AddJobOnce("reminder:1:2", &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: "jusuf"})
		if err != nil || !added {
			return fmt.Errorf("AddJobOnce on the upgraded schema = %v, %v", added, err)
		}
		tk.Urgent = true
		return tx.UpdateTicket(&tk)
	})
	if err != nil {
		t.Error(err)
	}
}

func TestMigrations(t *testing.T) {
	names := migrationNames(t)
	cases := []struct {
		name    string
		prepare func(t *testing.T, dsn string)
		opens   int // at once
		wantErr string
		check   func(t *testing.T, dsn string)
	}{
		{"fresh database, two instances at once", nil, 2, "", nil},
		{"already migrated", func(t *testing.T, dsn string) { second(t, dsn) }, 1, "", nil},
		{"upgrade from version 1, two instances at once", atVersion1, 2, "", upgradedFromVersion1},
		{"schema from a newer Sportel", func(t *testing.T, dsn string) {
			second(t, dsn)
			if _, err := rawConn(t, dsn).Exec(context.Background(),
				`INSERT INTO schema_version (version, name, applied_at) VALUES (999, '0999_future.sql', now())`); err != nil {
				t.Fatal(err)
			}
		}, 1, fmt.Sprintf("database schema version 999 is newer than this program knows (%d)", newestMigration(t)), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn := cluster.Database(t)
			if c.prepare != nil {
				c.prepare(t, dsn)
			}
			errs := make(chan error, c.opens)
			var wg sync.WaitGroup
			for range c.opens {
				wg.Go(func() {
					s, err := postgres.Open(context.Background(), dsn)
					if err == nil {
						s.Close()
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
					t.Errorf("Open = %v, want error %q", err, c.wantErr)
				}
			}
			if c.wantErr != "" {
				return
			}
			rows, err := rawConn(t, dsn).Query(context.Background(), `SELECT version, name FROM schema_version ORDER BY version`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
				var v int
				var name string
				err := r.Scan(&v, &name)
				return fmt.Sprint(v, " ", name), err
			})
			if err != nil || !slices.Equal(got, names) {
				t.Errorf("schema_version = %v, %v; want each migration recorded once: %v", got, err, names)
			}
			if c.check != nil {
				c.check(t, dsn)
			}
		})
	}
}

// PostgreSQL's text holds no NUL, which mail can carry: it is stored as
// U+FFFD and the raw bytes are kept as they were, so the message is taken
// in rather than failing on every retry.
func TestNULInText(t *testing.T) {
	s, _ := openFresh(t)
	ctx := context.Background()
	raw := []byte("Subject: a\x00b\r\n\r\nbody \x00 here")
	source := "hash:ab\x00cd"
	var ticketID int64
	if err := s.WithTx(ctx, func(tx store.Tx) error {
		tk := newTicket("DKP-2026-000001")
		tk.Subject = "a\x00b"
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		ticketID = tk.ID
		if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, SourceID: source,
			Subject: "a\x00b", Text: "body \x00 here", Raw: raw, CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.AddSetAside(&inquiry.SetAside{Kind: inquiry.SetAsideQuarantine, SourceID: "q\x00", Subject: "x\x00",
			Reason: "parse \x00 failed", Raw: raw, ReceivedAt: t0}); err != nil {
			return err
		}
		return tx.MarkSource(source, tk.ID, t0)
	}); err != nil {
		t.Fatalf("WithTx with NULs in text: %v", err)
	}
	tk, _, err := s.TicketByID(ctx, ticketID)
	if err != nil || tk.Subject != "a\uFFFDb" {
		t.Errorf("ticket subject = %q, %v; want a\uFFFDb", tk.Subject, err)
	}
	entries, err := s.Entries(ctx, ticketID)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Entries = %v, %v", entries, err)
	}
	if e := entries[0]; e.Text != "body \uFFFD here" || string(e.Raw) != string(raw) {
		t.Errorf("entry text %q, raw %q; want the NUL replaced in the text and kept in the raw mail", e.Text, e.Raw)
	}
	sa, err := s.ListSetAside(ctx, "", 0)
	if err != nil || len(sa) != 1 || sa[0].Reason != "parse \uFFFD failed" || string(sa[0].Raw) != string(raw) {
		t.Errorf("set-aside = %+v, %v", sa, err)
	}
	// The source is known under the id the caller has.
	if taken, err := s.SourcesTaken(ctx, []string{source, "other"}); err != nil || !taken[source] || taken["other"] {
		t.Errorf("SourcesTaken = %v, %v; want only %q", taken, err, source)
	}
	err = s.WithTx(ctx, func(tx store.Tx) error { return tx.MarkSource(source, ticketID, t0) })
	if !errors.Is(err, store.ErrSourceTaken) {
		t.Errorf("second MarkSource of the NUL source = %v, want ErrSourceTaken", err)
	}
}

// Times the timestamptz/nanosecond pair must bring back unchanged: the zero
// time where a time is required (stored as year 1, as SQLite does), before
// 1970 and 2000 (where microseconds count down), and one nanosecond off a
// microsecond on either side.
func TestTimeEdges(t *testing.T) {
	s, _ := openFresh(t)
	ctx := context.Background()
	cases := []time.Time{
		{},
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 1, time.UTC),
		time.Date(2026, 3, 2, 9, 30, 0, 1000, time.UTC),
		time.Date(2026, 3, 2, 9, 30, 0, 999, time.UTC),
		time.Date(2026, 3, 2, 9, 30, 0, 1001, time.FixedZone("CET", 3600)),
	}
	for _, want := range cases {
		tk := newTicket("DKP-2026-" + fmt.Sprint(want.UnixNano()))
		tk.ReceivedAt, tk.UpdatedAt, tk.DueAt = want, want, want
		if err := s.WithTx(ctx, func(tx store.Tx) error { return tx.CreateTicket(tk) }); err != nil {
			t.Fatalf("create ticket at %v: %v", want, err)
		}
		got, _, err := s.TicketByID(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]time.Time{"received": got.ReceivedAt, "updated": got.UpdatedAt, "due": got.DueAt} {
			if !g.Equal(want) || g.Location() != time.UTC || g.IsZero() != want.IsZero() {
				t.Errorf("%s at %v came back as %v", name, want, g)
			}
		}
	}
}
