package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/sqlite"
	"sportel/store/storetest"
)

// TestContract holds the file-backed store, as production runs it, to the
// driver-neutral store contract.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t)
		return s
	})
}

// TestContractMemory runs the contract against ":memory:", which has a
// single connection and statement cache turned off: a different code path.
func TestContractMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		t.Helper()
		s, err := sqlite.Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatalf("open :memory:: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	})
}

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

func openTemp(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sportel.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, path
}

func inTx(t testing.TB, s *sqlite.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.WithTx(context.Background(), fn); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
}

func newTicket(number string, received time.Time) *inquiry.Ticket {
	return &inquiry.Ticket{
		Number: number, Channel: inquiry.ChannelEmail,
		Sender:   inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"},
		Language: inquiry.Albanian, Category: inquiry.DocumentRequest, Classifier: "builtin", Confidence: 0.9,
		OfficerID: "officer1", State: inquiry.Assigned, ReceivedAt: received, UpdatedAt: received,
	}
}

func rawQueryInt(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sportel.db")
	for i := range 3 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		inTx(t, s, func(tx store.Tx) error {
			return tx.CreateTicket(newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0))
		})
		n, err := s.CountTickets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != i+1 {
			t.Errorf("open #%d: %d tickets, want %d (data kept across reopen)", i+1, n, i+1)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if got := rawQueryInt(t, path, `SELECT COUNT(*) FROM schema_version`); got != len(files) {
		t.Errorf("schema_version has %d rows after three opens, want %d (one per migration)", got, len(files))
	}
	if got := rawQueryInt(t, path, `SELECT MAX(version) FROM schema_version`); got != latestVersion {
		t.Errorf("schema version %d, want %d", got, latestVersion)
	}
}

// latestVersion is the number of the newest file in migrations/.
const latestVersion = 17

func TestOpenUpgradesOlderSchema(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	// Ticket 2 was taken in two hours after its mail's date, and followed
	// up later.
	filed := t0.Add(2 * time.Hour)
	inTx(t, s, func(tx store.Tx) error {
		tk := newTicket("DKP-2026-000001", t0)
		tk.Subject = "Kërkesë për dokumente"
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		late := newTicket("DKP-2026-000002", t0)
		if err := tx.CreateTicket(late); err != nil {
			return err
		}
		if err := tx.MarkSource("msgid:late@example.org", late.ID, filed); err != nil {
			return err
		}
		return tx.MarkSource("msgid:followup@example.org", late.ID, filed.Add(time.Hour))
	})

	// Turn the file back into a version 1 database.
	testutil.ExecSQL(t, "sqlite", path,
		`DROP TRIGGER tickets_fts_insert`, `DROP TRIGGER tickets_fts_update`, `DROP TRIGGER tickets_fts_delete`,
		`DROP TRIGGER entries_fts_insert`, `DROP TRIGGER entries_fts_update`, `DROP TRIGGER entries_fts_delete`,
		`DROP TABLE tickets_fts`, `DROP TABLE entries_fts`,
		`DROP TABLE tickets_fts_pending`, `DROP TABLE entries_fts_pending`,
		`DROP INDEX tickets_chat`,
		`CREATE INDEX tickets_chat ON tickets (chat_id) WHERE chat_id <> 0`,
		`ALTER TABLE tickets DROP COLUMN message_id`,
		`ALTER TABLE tickets DROP COLUMN acted`,
		`DROP INDEX jobs_acks_sent`,
		`DROP INDEX jobs_signins_sent`,
		`CREATE INDEX jobs_state ON jobs (state, id)`,
		`CREATE INDEX jobs_sent ON jobs (kind, finished_at) WHERE state = 'done'`,
		`CREATE INDEX jobs_ticket ON jobs (ticket_id, id)`,
		`DROP INDEX jobs_key`,
		`ALTER TABLE jobs DROP COLUMN job_key`,
		`DROP INDEX jobs_ticket_recipient`,
		`ALTER TABLE jobs DROP COLUMN digest`,
		`DROP INDEX jobs_sent`,
		`ALTER TABLE jobs DROP COLUMN held`,
		`ALTER TABLE jobs DROP COLUMN mail_text`,
		`DROP INDEX tickets_created`,
		`DROP INDEX jobs_failed`,
	)
	for _, col := range []string{"created_at", "urgent", "ext_days", "ext_reason", "ext_due_at", "ext_at", "ext_by", "not_held_at",
		"not_held_holder", "not_held_by", "ground", "decided_at", "decision_in_answer", "complaints"} {
		testutil.ExecSQL(t, "sqlite", path, `ALTER TABLE tickets DROP COLUMN `+col)
	}
	testutil.ExecSQL(t, "sqlite", path,
		`DROP TABLE web_sessions`,
		`DROP TABLE web_signin_links`,
		`DROP TABLE web_signin_attempts`,
		`DROP TABLE web_audit`,
		`DELETE FROM schema_version WHERE version > 1`,
	)

	s2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen a version 1 database: %v", err)
	}
	defer s2.Close()
	if got := rawQueryInt(t, path, `SELECT MAX(version) FROM schema_version`); got != latestVersion {
		t.Errorf("schema version after upgrade %d, want %d", got, latestVersion)
	}
	tk, ok, err := s2.TicketByNumber(ctx, "DKP-2026-000001")
	if err != nil || !ok || tk.MessageID != "" || tk.Acted {
		t.Errorf("ticket after upgrade = %+v, %v, %v; want kept with new fields empty", tk, ok, err)
	}
	// When each was filed: when its first message was taken in, or with
	// none on record, its received_at.
	for number, want := range map[string]time.Time{"DKP-2026-000001": t0, "DKP-2026-000002": filed} {
		tk, _, err := s2.TicketByNumber(ctx, number)
		if err != nil || !tk.CreatedAt.Equal(want) {
			t.Errorf("%s after upgrade filed at %v (%v), want %v", number, tk.CreatedAt, err, want)
		}
	}
	// The search index was built from the tickets already there.
	found, err := s2.ListTickets(ctx, inquiry.TicketFilter{Text: "kerkese"})
	if err != nil || len(found) != 1 {
		t.Errorf("search after upgrade = %d tickets, %v; want the ticket filed before", len(found), err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	_, path := openTemp(t)
	testutil.ExecSQL(t, "sqlite", path, `INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 'x')`)
	_, err := sqlite.Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open with schema 99: err = %v, want a 'newer' error", err)
	}
}

// TestFailedMigrationLeavesNothing: the pending migrations apply in one
// transaction, so when a later one fails the earlier ones are not kept
// either, and the next start applies them all.
func TestFailedMigrationLeavesNothing(t *testing.T) {
	s, path := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Back to version 8, except that migration 10 finds no jobs_ticket to
	// drop and fails after migration 9 ran (11 and 12 are never reached).
	testutil.ExecSQL(t, "sqlite", path, `DROP INDEX tickets_created`, `ALTER TABLE tickets DROP COLUMN created_at`,
		`ALTER TABLE jobs DROP COLUMN mail_text`, `DROP TABLE tickets_fts_pending`, `DROP TABLE entries_fts_pending`, `DELETE FROM schema_version WHERE version > 8`)

	if _, err := sqlite.Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "apply migration 0010_lighter_job_indexes.sql") {
		t.Fatalf("open with a failing migration 10: %v, want its error", err)
	}
	if got := rawQueryInt(t, path, `SELECT MAX(version) FROM schema_version`); got != 8 {
		t.Errorf("schema version after the failed upgrade %d, want 8", got)
	}
	if got := rawQueryInt(t, path, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'tickets_fts_pending'`); got != 0 {
		t.Errorf("migration 9's table is there after migration 10 failed")
	}

	testutil.ExecSQL(t, "sqlite", path, `CREATE INDEX jobs_ticket ON jobs (ticket_id, id)`,
		// What migration 16 drops, as a version 15 database has it.
		`CREATE INDEX jobs_state ON jobs (state, id)`,
		`CREATE INDEX jobs_sent ON jobs (kind, finished_at) WHERE state = 'done'`,
		`DROP INDEX jobs_acks_sent`, `DROP INDEX jobs_signins_sent`)
	s2, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open once migration 10 can run: %v", err)
	}
	defer s2.Close()
	if got := rawQueryInt(t, path, `SELECT MAX(version) FROM schema_version`); got != latestVersion {
		t.Errorf("schema version %d, want %d", got, latestVersion)
	}
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inTx(t, s, func(tx store.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001", t0)) })
	// Every connection to :memory: is a new database, so this shows reads
	// and writes share one connection.
	if n, err := s.CountTickets(ctx); err != nil || n != 1 {
		t.Fatalf("CountTickets = %d, %v; want 1", n, err)
	}
}

// The contract suite checks checkpoints and state within one store; that
// they are on disk shows only across a reopen of the same file.
func TestCheckpointsAndStateSurviveReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if err := s.SaveCheckpoint(ctx, "other/INBOX", 7, 3); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"telegram.offset", "100"}, {"telegram.offset", "101"}, {"empty", ""}} {
		if err := s.SetState(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}

	s2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, ok, err := s2.GetState(ctx, "telegram.offset"); !ok || v != "101" || err != nil {
		t.Errorf("after reopen telegram.offset = %q, %v, %v; want 101", v, ok, err)
	}
	if v, ok, err := s2.GetState(ctx, "empty"); !ok || v != "" || err != nil {
		t.Errorf("after reopen empty = %q, %v, %v; want a stored empty value", v, ok, err)
	}
	if v, u, err := s2.LoadCheckpoint(ctx, "other/INBOX"); v != 7 || u != 3 || err != nil {
		t.Errorf("after reopen checkpoint = %d, %d, %v; want 7, 3", v, u, err)
	}
}

// The contract asks only for errors.Is(err, store.ErrLeaseLost); this
// driver also says why, which is what an operator reads in the log.
func TestSettleErrorsSayWhy(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var id int64
	inTx(t, s, func(tx store.Tx) error {
		j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: "a@x", NextAt: t0, CreatedAt: t0}
		err := tx.AddJob(j)
		id = j.ID
		return err
	})
	steps := []struct {
		name     string
		settle   func() error
		leaseErr bool // wraps store.ErrLeaseLost
		says     string
	}{
		{"missing job", func() error { return s.RetryJob(ctx, id+1000, "old", t0, "x") }, false, "no such job"},
		{"not claimed", func() error { return s.RetryJob(ctx, id, "old", t0, "x") }, true, "not claimed"},
		{"claimed by another", func() error {
			if _, err := s.ClaimJobs(ctx, "old", t0, time.Minute, 1); err != nil {
				return err
			}
			if _, err := s.ClaimJobs(ctx, "new", t0.Add(2*time.Minute), time.Minute, 1); err != nil {
				return err
			}
			return s.FailJob(ctx, id, "old", "x", t0)
		}, true, "claimed by new"},
		{"already ended", func() error {
			if err := s.FailJob(ctx, id, "new", "550", t0); err != nil {
				return fmt.Errorf("new owner's FailJob: %w", err)
			}
			return s.RetryJob(ctx, id, "new", t0, "x")
		}, true, "already failed"},
	}
	for _, st := range steps {
		err := st.settle()
		if err == nil || errors.Is(err, store.ErrLeaseLost) != st.leaseErr || !strings.Contains(err.Error(), st.says) {
			t.Errorf("%s: err = %v; want one saying %q (ErrLeaseLost: %v)", st.name, err, st.says, st.leaseErr)
		}
	}
}

func TestSynchronousOption(t *testing.T) {
	tests := []struct {
		level   string
		want    int // PRAGMA synchronous: 1 NORMAL, 2 FULL
		wantErr bool
	}{
		{"", 2, false},
		{"normal", 1, false},
		{"full", 2, false},
		{"off", 0, true},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "s.db")
		s, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{Synchronous: tt.level})
		if tt.wantErr {
			if err == nil {
				s.Close()
				t.Errorf("synchronous %q: no error", tt.level)
			}
			continue
		}
		if err != nil {
			t.Fatalf("synchronous %q: %v", tt.level, err)
		}
		got := s.PragmaForTest(t, "synchronous")
		s.Close()
		if got != tt.want {
			t.Errorf("synchronous %q: PRAGMA synchronous = %d, want %d", tt.level, got, tt.want)
		}
	}
}

// The Message-ID of mail in the outbox is a thread reference of its own: a

// BenchmarkIntakeTx is the database cost of taking in one message.
func BenchmarkIntakeTx(b *testing.B) {
	ctx := context.Background()
	s, _ := openTemp(b)
	raw := []byte(strings.Repeat("x", 4096))
	i := 0
	for b.Loop() {
		i++
		err := s.WithTx(ctx, func(tx store.Tx) error {
			seq, err := tx.NextSequence("DKP", 2026)
			if err != nil {
				return err
			}
			tk := newTicket(inquiry.FormatNumber("DKP", 2026, seq), t0)
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arta@example.org",
				Text: "Kërkoj kopjen e vendimit.", Raw: raw, CreatedAt: t0}); err != nil {
				return err
			}
			for _, k := range []inquiry.JobKind{inquiry.JobAck, inquiry.JobNotify} {
				if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: k, Recipient: "arta@example.org", NextAt: t0, CreatedAt: t0,
					Mail: &inquiry.Mail{MessageID: fmt.Sprintf("%s.%d@sportel", k, seq), Date: t0, Text: "Faleminderit."}}); err != nil {
					return err
				}
			}
			return tx.MarkSource(fmt.Sprintf("msgid:%d@example.org", i), tk.ID, t0)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// Every write goes through one connection, and statements are prepared
// after their first transaction ends: a transaction that fails, or one that
// runs a statement for the first time, must not leave the next write
// waiting for a connection.
func TestWritesShareOneConnection(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := errors.New("the handler failed")
	now := time.Now()
	for i := range 3 {
		err := s.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.MarkSource(fmt.Sprintf("src-%d", i), 0, now); err != nil {
				return err
			}
			if i == 1 {
				return failed
			}
			return nil
		})
		if (i == 1) != errors.Is(err, failed) {
			t.Fatalf("transaction %d: %v", i, err)
		}
		if err := s.SetState(ctx, "k", fmt.Sprint(i)); err != nil {
			t.Fatalf("write after transaction %d: %v", i, err)
		}
	}
	if limit, open := s.WriteConnsForTest(); limit != 1 || open != 1 {
		t.Errorf("write pool: limit %d, %d open; want every write on one connection", limit, open)
	}
	known, err := s.SourcesTaken(ctx, []string{"src-0", "src-1", "src-2"})
	if err != nil {
		t.Fatal(err)
	}
	if !known["src-0"] || known["src-1"] || !known["src-2"] {
		t.Errorf("known sources %v: want src-0 and src-2, not the rolled back src-1", known)
	}
}

// A transaction's statements carry no deadline of their own (see Tx's
// callCtx), so the transaction's must still end it: once its context is
// done, the next statement fails and nothing it wrote is committed.
func TestTransactionDeadlineEndsIt(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	txCtx, txCancel := context.WithCancel(ctx)
	now := time.Now()
	err := s.WithTx(txCtx, func(tx store.Tx) error {
		if err := tx.MarkSource("before-deadline", 0, now); err != nil {
			return err
		}
		txCancel()
		// database/sql rolls the transaction back on its own goroutine;
		// the statement after the end must fail whichever runs first.
		for i := range 100 {
			if err := tx.MarkSource(fmt.Sprintf("after-deadline-%d", i), 0, now); err != nil {
				return err
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	if !errors.Is(err, sql.ErrTxDone) && !errors.Is(err, context.Canceled) {
		t.Fatalf("transaction whose context ended: err %v, want the end of the transaction", err)
	}
	known, err := s.SourcesTaken(ctx, []string{"before-deadline", "after-deadline-0", "after-deadline-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != 0 {
		t.Errorf("sources %v committed by a transaction whose context ended", known)
	}
	if err := s.SetState(ctx, "k", "v"); err != nil {
		t.Errorf("write after the ended transaction: %v", err)
	}
}

// The write-ahead log is checkpointed in the background, not in the
// commits: a burst of writes far larger than SQLite's usual 1,000-page log
// leaves a log file of walRestartBytes (32 MB) and a little more, where the
// commits themselves would only checkpoint at the backstop, 10,000 pages
// (80 MB with 8 KiB pages).
func TestLogCheckpointedInBackground(t *testing.T) {
	s, path := openTemp(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if got := s.WritePragmaForTest(t, "wal_autocheckpoint"); got < 5000 {
		t.Fatalf("write connection's wal_autocheckpoint = %d; want the backstop, not SQLite's 1000", got)
	}
	value := strings.Repeat("x", 64<<10)
	const writes = 1600 // about 105 MB of pages
	for i := range writes {
		if err := s.SetState(ctx, fmt.Sprintf("k%d", i), value); err != nil {
			t.Fatal(err)
		}
		if i%20 == 19 {
			// Writes at intake's pace, about 1.3 MB a batch every few ms,
			// with room for the checkpointer to run between them.
			time.Sleep(10 * time.Millisecond)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// The log grows to walRestartBytes (32 MB) and what is written while
	// the checkpoint waits for the lock; without background checkpoints,
	// to the backstop (80 MB with 8 KiB pages).
	t.Logf("log file: %.1f MB after %d writes of 64 KB", float64(fi.Size())/(1<<20), writes)
	if fi.Size() > 56<<20 {
		t.Errorf("log file is %d bytes after %d writes of 64 KB: not checkpointed in the background", fi.Size(), writes)
	}
	// The database file holds what was checkpointed.
	db, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if db.Size() < 8<<20 {
		t.Errorf("database file is %d bytes after %d writes of 64 KB: nothing checkpointed", db.Size(), writes)
	}
}

// The outbox's claims and completions are not flushed to disk; everything
// else is, at the configured level, even right after one of them.
func TestOutboxWritesRelaxOnlyThemselves(t *testing.T) {
	const normal, full = 1, 2 // PRAGMA synchronous
	now := time.Now()
	writes := []struct {
		name    string
		relaxed bool
		write   func(context.Context, *sqlite.Store) error
	}{
		{"claim", true, func(ctx context.Context, s *sqlite.Store) error {
			_, err := s.ClaimJobs(ctx, "w", now, time.Minute, 4)
			return err
		}},
		{"intake", false, func(ctx context.Context, s *sqlite.Store) error {
			return s.WithTx(ctx, func(tx store.Tx) error { return tx.MarkSource("src", 0, now) })
		}},
		{"completion", true, func(ctx context.Context, s *sqlite.Store) error {
			_, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: 1}}, now)
			return err
		}},
		{"state", false, func(ctx context.Context, s *sqlite.Store) error { return s.SetState(ctx, "k", "v") }},
		{"lease renewal", true, func(ctx context.Context, s *sqlite.Store) error {
			_, err := s.RenewLeases(ctx, "w", []int64{1}, now.Add(time.Minute))
			return err
		}},
		{"checkpoint", false, func(ctx context.Context, s *sqlite.Store) error { return s.SaveCheckpoint(ctx, "imap", 1, 2) }},
	}
	for _, configured := range []struct {
		option string
		level  int
	}{{"full", full}, {"normal", normal}} {
		t.Run(configured.option, func(t *testing.T) {
			s, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlite.Options{Synchronous: configured.option})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			for _, w := range writes {
				if err := w.write(ctx, s); err != nil {
					t.Fatalf("%s: %v", w.name, err)
				}
				want := configured.level
				if w.relaxed {
					want = normal
				}
				if got := s.WritePragmaForTest(t, "synchronous"); got != want {
					t.Errorf("after a %s, synchronous = %d, want %d", w.name, got, want)
				}
			}
		})
	}
}

// A new database gets 8 KiB pages; one created before keeps its own, and
// both work.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	_, fresh := openTemp(t)
	if got := rawQueryInt(t, fresh, `PRAGMA page_size`); got != 8192 {
		t.Errorf("new database: page size %d, want 8192", got)
	}
	old := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE before_sportel (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := sqlite.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetState(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if got := rawQueryInt(t, old, `PRAGMA page_size`); got != 4096 {
		t.Errorf("existing database: page size %d, want its 4096", got)
	}
}

// A batch's transaction keeps its pages in the writer's cache until its
// commit: nothing of it reaches the log before (a spill, which the commit
// would read back to checksum again). 32 mails of 60 KB, a chunk of mail
// with attachments, are more than SQLite's default cache holds.
func TestBatchDoesNotSpillBeforeCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if errors.Is(err, os.ErrNotExist) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	raw := make([]byte, 60<<10)
	for i := range raw {
		raw[i] = byte('a' + i*7%26)
	}
	err = s.WithTx(ctx, func(tx store.Tx) error {
		before := walSize()
		for i := range 32 {
			tk := &inquiry.Ticket{Number: fmt.Sprintf("DKP-2026-%06d", i+1), Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
				Sender: inquiry.Address{Address: fmt.Sprintf("c%d@example.net", i)}, Subject: "Kërkesë", ReceivedAt: at, UpdatedAt: at}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			raw[0] = byte(i)
			e := &inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Subject: "Kërkesë", Text: "Kërkoj dokumentin.",
				Raw: bytes.Clone(raw), CreatedAt: at}
			if err := tx.AddEntry(e); err != nil {
				return err
			}
		}
		if grew := walSize() - before; grew != 0 {
			t.Errorf("the log grew by %d bytes before the commit: the batch spilled out of the cache", grew)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
