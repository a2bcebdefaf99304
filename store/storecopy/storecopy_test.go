package storecopy_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/app"
	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/mailgen"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/drivers"
	"sportel/store/storecopy"
)

var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

const pipelineConfig = `
mailbox: {address: komunikimi@mkrs.example}
imap:
  addr: %s
  security: none
  username: komunikimi@mkrs.example
  password: ${PIPELINE_PW}
  poll_interval: 1s
smtp: {addr: %s, security: none}
store: {driver: sqlite, dsn: %s}
officers:
  - {id: osman, name: Osman, email: osman@mkrs.example, role: head}
  - {id: jusuf, name: Jusuf, email: jusuf@mkrs.example}
routing:
  - match: {category: document_request}
    officer: jusuf
  - officer: osman
log: {level: error}
`

// pipelineStore fills a new SQLite store the way `sportel run` does: the
// app on loopback IMAP and SMTP servers takes in a backlog of realistic
// mail (every language, charset and shape of internal/mailgen, a mail
// with a NUL in its text) and sends what it causes.
func pipelineStore(t *testing.T, n int) (path string, tickets int) {
	t.Helper()
	imapSrv, err := devserver.StartIMAP("komunikimi@mkrs.example", "pipeline-pw")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	path = filepath.Join(t.TempDir(), "source.db")
	cfg, err := config.Parse(fmt.Appendf(nil, pipelineConfig, imapSrv.Addr, smtpSrv.Addr, path), func(k string) (string, bool) {
		return "pipeline-pw", k == "PIPELINE_PW"
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour)
	mails := mailgen.New(rand.New(rand.NewPCG(11, 12)), "komunikimi@mkrs.example", start).Backlog(n)
	mails = append(mails, []byte("From: Drita <drita@example.org>\r\nTo: komunikimi@mkrs.example\r\nSubject: NUL\r\n"+
		"Message-ID: <nul-1@example.org>\r\nDate: "+start.Format(time.RFC1123Z)+"\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nK=C3=ABrkoj dokumentin=00 e kontrat=C3=ABs.\r\n"))
	for _, raw := range mails {
		if _, err := imapSrv.Append("INBOX", raw, start); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	stop := testutil.RunBackground(t, "app.Run", 30*time.Second, a.Run)
	testutil.Eventually(t, "every mail taken in and every send made", 60*time.Second, func() (bool, error) {
		left, err := imapSrv.Count("INBOX")
		if err != nil || left > 0 {
			return false, err
		}
		qs, err := a.Store().QueueStats(ctx, time.Now())
		return err == nil && qs.PendingJobs == 0, err
	})
	stop()
	// What the backlog did not bring: a set-aside message (kept whole) and
	// a Telegram offset, as the bot and the watcher record them.
	if err := a.Store().WithTx(ctx, func(tx store.Tx) error {
		return tx.AddSetAside(&inquiry.SetAside{Kind: "quarantine", SourceID: "mail:poison@example.org", From: "x@example.org",
			Subject: "poison", Reason: "parse: boom", ReceivedAt: time.Now().Add(-time.Minute), Raw: []byte("Subject: poison\r\n\r\n\x00\xff")})
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store().SetState(ctx, "telegram.offset", "4711"); err != nil {
		t.Fatal(err)
	}
	// The web workspace's sessions and audit log, as officers leave them
	// (PostgreSQL keeps these times to the microsecond).
	web, ok := a.Store().(store.Web)
	if !ok {
		t.Fatal("the store keeps no web sessions")
	}
	now := time.Now().Truncate(time.Microsecond)
	for i, officer := range []string{"osman", "jusuf"} {
		ws := &store.WebSession{TokenHash: fmt.Sprintf("%064d", i), OfficerID: officer, Language: "sq", ClientIP: "10.0.0.7", CreatedAt: now, LastSeen: now}
		if err := web.CreateSession(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := web.RevokeOfficerSessions(ctx, "jusuf", now); err != nil {
		t.Fatal(err)
	}
	if err := web.AddAudit(ctx, &store.AuditEntry{OfficerID: "osman", Action: "close", Ticket: "DKP-2026-000001", Detail: "granted", At: now}); err != nil {
		t.Fatal(err)
	}
	if err := web.AddSignInLink(ctx, strings.Repeat("f", 64), "osman", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := web.AllowSignInAttempt(ctx, []string{"addr:osman@mkrs.example"}, now, time.Hour, 5); err != nil || !ok {
		t.Fatal(ok, err)
	}
	tickets, err = a.Store().CountTickets(ctx)
	if err != nil || tickets == 0 {
		t.Fatalf("the pipeline filed %d tickets (%v)", tickets, err)
	}
	return path, tickets
}

func countsOf(c []storecopy.TableCount) map[string]int64 {
	m := map[string]int64{}
	for _, tc := range c {
		m[tc.Table] = tc.Rows
	}
	return m
}

// record is what the store's own reads say about every ticket.
type record struct {
	Ticket  inquiry.Ticket
	Entries []inquiry.Entry
	Jobs    []inquiry.Job
}

// others is what it says beyond the tickets.
type others struct {
	SetAside []inquiry.SetAside
	Offset   string
	Sessions []store.WebSession
	Audit    []store.AuditEntry
	// Link: the sign-in link is still unused, so it signs in once.
	Link string
}

func readOthers(t *testing.T, e storecopy.Endpoint) others {
	t.Helper()
	ctx := context.Background()
	st, err := drivers.Open(ctx, drivers.Options{Driver: e.Driver, DSN: e.DSN})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var o others
	if o.SetAside, err = st.ListSetAside(ctx, "", 100); err != nil {
		t.Fatal(err)
	}
	if o.Offset, _, err = st.GetState(ctx, "telegram.offset"); err != nil {
		t.Fatal(err)
	}
	web := st.(store.Web)
	if o.Sessions, err = web.ListSessions(ctx, time.Now(), store.SessionLimits{Idle: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if o.Audit, err = web.Audit(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if o.Link, _, err = web.UseSignInLink(ctx, strings.Repeat("f", 64), time.Now()); err != nil {
		t.Fatal(err)
	}
	return o
}

func readAll(t *testing.T, e storecopy.Endpoint) map[string]record {
	t.Helper()
	ctx := context.Background()
	st, err := drivers.Open(ctx, drivers.Options{Driver: e.Driver, DSN: e.DSN})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := st.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]record{}
	for _, tk := range list {
		r := record{Ticket: tk}
		if r.Entries, err = st.Entries(ctx, tk.ID); err != nil {
			t.Fatal(err)
		}
		if r.Jobs, err = st.TicketJobs(ctx, tk.ID); err != nil {
			t.Fatal(err)
		}
		out[tk.Number] = r
	}
	return out
}

// TestCopyThroughPostgres moves a store the pipeline filled from SQLite to
// PostgreSQL and back to a new SQLite file: every table counts the same,
// every ticket reads the same through the store, and new tickets and jobs
// continue the numbering.
func TestCopyThroughPostgres(t *testing.T) {
	dsn := cluster.Database(t)
	src, tickets := pipelineStore(t, 30)
	ctx := context.Background()
	from := storecopy.Endpoint{Driver: "sqlite", DSN: src}
	pg := storecopy.Endpoint{Driver: "postgres", DSN: dsn}
	back := storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "back.db")}

	toPG, err := storecopy.Copy(ctx, from, pg)
	if err != nil {
		t.Fatalf("copy to postgres: %v", err)
	}
	c := countsOf(toPG)
	if c["tickets"] != int64(tickets) || c["entries"] < int64(tickets) || c["jobs"] < int64(tickets) || c["sources"] < int64(tickets) ||
		c["thread_refs"] == 0 || c["ticket_sequences"] != 1 || c["checkpoints"] != 1 ||
		c["set_aside"] != 1 || c["kv_state"] != 1 || c["web_sessions"] != 2 || c["web_audit"] != 1 ||
		c["web_signin_links"] != 1 || c["web_signin_attempts"] != 1 {
		t.Errorf("copied %v for %d tickets", c, tickets)
	}
	t.Logf("copied %v", toPG)
	toSQLite, err := storecopy.Copy(ctx, pg, back)
	if err != nil {
		t.Fatalf("copy back to sqlite: %v", err)
	}
	if !reflect.DeepEqual(toSQLite, toPG) {
		t.Errorf("back: %v, there: %v", toSQLite, toPG)
	}

	// PostgreSQL's text holds no NUL: its driver stores U+FFFD there (the
	// raw mail keeps the original), and so does the copy.
	want := readAll(t, from)
	nul := 0
	for number, r := range want {
		for i, e := range r.Entries {
			if strings.Contains(e.Text, "\x00") {
				nul++
				r.Entries[i].Text = strings.ReplaceAll(e.Text, "\x00", "\uFFFD")
			}
		}
		want[number] = r
	}
	if nul != 1 {
		t.Fatalf("%d entries with a NUL in the source, want the one", nul)
	}
	for _, e := range []storecopy.Endpoint{pg, back} {
		got := readAll(t, e)
		if len(got) != len(want) {
			t.Fatalf("%s: %d tickets, want %d", e, len(got), len(want))
		}
		for number, w := range want {
			if g := got[number]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: ticket %s reads otherwise:\n got %+v\nwant %+v", e, number, g, w)
			}
		}
	}
	// Read once each (it uses the sign-in link): the two copies first,
	// the source last.
	gotPG, gotBack, wantOthers := readOthers(t, pg), readOthers(t, back), readOthers(t, from)
	if len(wantOthers.SetAside) != 1 || wantOthers.Offset != "4711" || len(wantOthers.Sessions) != 1 || len(wantOthers.Audit) != 1 || wantOthers.Link != "osman" {
		t.Errorf("the source holds %+v", wantOthers)
	}
	for e, g := range map[storecopy.Endpoint]others{pg: gotPG, back: gotBack} {
		if !reflect.DeepEqual(g, wantOthers) {
			t.Errorf("%s: set aside, state and web %+v, want %+v", e, g, wantOthers)
		}
	}

	// The search index, which is not copied, is there: the target's
	// triggers and the copy's finish (SQLite) or expression index
	// (PostgreSQL) built it.
	found := func(e storecopy.Endpoint) []string {
		st, err := drivers.Open(ctx, drivers.Options{Driver: e.Driver, DSN: e.DSN})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		list, err := st.ListTickets(ctx, inquiry.TicketFilter{Text: "kontratës"})
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, tk := range list {
			numbers = append(numbers, tk.Number)
		}
		return numbers
	}
	if w := found(from); len(w) == 0 {
		t.Error("the source finds nothing")
	} else {
		for _, e := range []storecopy.Endpoint{pg, back} {
			if g := found(e); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: search finds %v, the source %v", e, g, w)
			}
		}
	}

	// The copy refuses a target that is not empty: now both are.
	if _, err := storecopy.Copy(ctx, from, pg); err == nil || !strings.Contains(err.Error(), "the target is not empty (tickets has") {
		t.Errorf("second copy into postgres: %v", err)
	}

	// New tickets continue the numbering, new rows the ids.
	year := time.Now().In(time.UTC).Year()
	for _, e := range []storecopy.Endpoint{pg, back} {
		st, err := drivers.Open(ctx, drivers.Options{Driver: e.Driver, DSN: e.DSN})
		if err != nil {
			t.Fatal(err)
		}
		var next int
		err = st.WithTx(ctx, func(tx store.Tx) error {
			var err error
			next, err = tx.NextSequence("DKP", year)
			return err
		})
		if err != nil || next != tickets+1 {
			t.Errorf("%s: next ticket number %d (%v), want %d", e, next, err, tickets+1)
		}
		// An id PostgreSQL numbers itself follows the copied ones.
		ws := &store.WebSession{TokenHash: strings.Repeat("a", 64), OfficerID: "osman", CreatedAt: time.Now(), LastSeen: time.Now()}
		if err := st.(store.Web).CreateSession(ctx, ws); err != nil || ws.ID != 3 {
			t.Errorf("%s: a new web session got id %d (%v), want 3", e, ws.ID, err)
		}
		st.Close()
	}
}

// TestCopyRefuses: what the copy will not do, each with the reason.
func TestCopyRefuses(t *testing.T) {
	src, _ := pipelineStore(t, 5)
	ctx := context.Background()
	copyOf := func(t *testing.T) string {
		t.Helper()
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exec := func(t *testing.T, path, stmt string) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T) (from, to storecopy.Endpoint)
		wantErr string
	}{
		{"a table the copier does not know", func(t *testing.T) (storecopy.Endpoint, storecopy.Endpoint) {
			p := copyOf(t)
			exec(t, p, `CREATE TABLE sms_outbox (id INTEGER PRIMARY KEY, phone TEXT NOT NULL)`)
			return storecopy.Endpoint{Driver: "sqlite", DSN: p}, storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "t.db")}
		}, "the source has table sms_outbox, which store copy does not know (add it to store/storecopy/tables.go)"},
		{"a column the copier does not know", func(t *testing.T) (storecopy.Endpoint, storecopy.Endpoint) {
			p := copyOf(t)
			exec(t, p, `ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0`)
			return storecopy.Endpoint{Driver: "sqlite", DSN: p}, storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "t.db")}
		}, "the source has column tickets.priority, which store copy does not know"},
		{"a target that is not empty", func(t *testing.T) (storecopy.Endpoint, storecopy.Endpoint) {
			return storecopy.Endpoint{Driver: "sqlite", DSN: src}, storecopy.Endpoint{Driver: "sqlite", DSN: copyOf(t)}
		}, "the target is not empty (tickets has"},
		{"a missing source", func(t *testing.T) (storecopy.Endpoint, storecopy.Endpoint) {
			return storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "none.db")}, storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "t.db")}
		}, "none.db: no such file or directory"},
		{"a source a daemon runs on", func(t *testing.T) (storecopy.Endpoint, storecopy.Endpoint) {
			p := copyOf(t)
			st, err := drivers.Open(ctx, drivers.Options{Driver: "sqlite", DSN: p})
			if err != nil {
				t.Fatal(err)
			}
			unlock, err := st.(interface{ LockInstance() (func() error, error) }).LockInstance()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unlock(); st.Close() })
			return storecopy.Endpoint{Driver: "sqlite", DSN: p}, storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "t.db")}
		}, "another sportel instance is running on this database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := tt.setup(t)
			_, err := storecopy.Copy(ctx, from, to)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Copy = %v, want an error containing %q", err, tt.wantErr)
			}
			if to.Driver == "sqlite" && tt.name != "a target that is not empty" {
				// A new file the copy created is removed again: left
				// migrated and empty, it would be taken for a store by the
				// next copy or by `sportel run`.
				matches, err := filepath.Glob(to.DSN + "*")
				if err != nil {
					t.Fatal(err)
				}
				if len(matches) > 0 {
					t.Errorf("the refused copy left %v", matches)
				}
			}
		})
	}
}

// TestCopySQLite copies between two SQLite files (no PostgreSQL needed):
// the copy reads the same as the original.
func TestCopySQLite(t *testing.T) {
	src, tickets := pipelineStore(t, 10)
	from := storecopy.Endpoint{Driver: "sqlite", DSN: src}
	to := storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "to.db")}
	counts, err := storecopy.Copy(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if c := countsOf(counts); c["tickets"] != int64(tickets) {
		t.Errorf("counts %v, want %d tickets", c, tickets)
	}
	if got, want := readAll(t, to), readAll(t, from); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy reads otherwise than the original")
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"sqlite:/var/lib/sportel/sportel.db", "sqlite:/var/lib/sportel/sportel.db", ""},
		{"postgres:host=db dbname=sportel user=sportel password=s3cret", "postgres:host=db dbname=sportel user=sportel password=xxx", ""},
		{"postgres:postgres://sportel:s3cret@db/sportel", "postgres:postgres://sportel:xxx@db/sportel", ""},
		{"mysql:x", "", "want sqlite:PATH or postgres:DSN"},
		{"/var/lib/sportel/sportel.db", "", "want sqlite:PATH or postgres:DSN"},
		{"sqlite:", "", "want sqlite:PATH or postgres:DSN"},
	}
	for _, tt := range tests {
		e, err := storecopy.ParseEndpoint(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseEndpoint(%q) = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || e.String() != tt.want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", tt.in, e, err, tt.want)
		}
	}
}

// A source older than this program is refused, not migrated in place: the
// copy leaves it as it was (schema version and, for SQLite, every byte of
// the file) and says how to upgrade it.
func TestCopyLeavesAnOlderSourceAlone(t *testing.T) {
	ctx := context.Background()
	const wantErr = "its schema version %d is older than this program's (%d), and store copy never changes its source: run this version's `sportel run` on it once"
	// exec runs stmt on the endpoint's database from outside the store;
	// with scan, it reads one integer.
	exec := func(t *testing.T, e storecopy.Endpoint, stmt string, scan *int) {
		t.Helper()
		var err error
		switch e.Driver {
		case "sqlite":
			var db *sql.DB
			if db, err = sql.Open("sqlite", e.DSN); err != nil {
				t.Fatal(err)
			}
			if scan != nil {
				err = db.QueryRow(stmt).Scan(scan)
			} else {
				_, err = db.Exec(stmt)
			}
			db.Close()
		case "postgres":
			var conn *pgx.Conn
			if conn, err = pgx.Connect(ctx, e.DSN); err != nil {
				t.Fatal(err)
			}
			if scan != nil {
				err = conn.QueryRow(ctx, stmt).Scan(scan)
			} else {
				_, err = conn.Exec(ctx, stmt)
			}
			conn.Close(ctx)
		}
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	newest := func(t *testing.T, e storecopy.Endpoint) int {
		t.Helper()
		var v int
		exec(t, e, `SELECT MAX(version) FROM schema_version`, &v)
		return v
	}
	tests := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "old.db") }},
		{"postgres", func(t *testing.T) string { return cluster.Database(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := storecopy.Endpoint{Driver: tt.name, DSN: tt.dsn(t)}
			st, err := drivers.Open(ctx, drivers.Options{Driver: from.Driver, DSN: from.DSN})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			// One migration behind, as a store of the previous release.
			known := newest(t, from)
			exec(t, from, fmt.Sprintf(`DELETE FROM schema_version WHERE version = %d`, known), nil)
			old := newest(t, from)
			var before []byte
			if from.Driver == "sqlite" {
				if before, err = os.ReadFile(from.DSN); err != nil {
					t.Fatal(err)
				}
			}

			to := storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "to.db")}
			_, err = storecopy.Copy(ctx, from, to)
			if want := fmt.Sprintf(wantErr, old, known); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Copy = %v, want an error containing %q", err, want)
			}

			if v := newest(t, from); v != old {
				t.Errorf("the source's schema version is %d after the refused copy, want %d (not migrated)", v, old)
			}
			if from.Driver == "sqlite" {
				after, err := os.ReadFile(from.DSN)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(before, after) {
					t.Errorf("the refused copy changed the source file")
				}
			}
		})
	}
}

// A PostgreSQL database a `sportel run` is running on is refused on either
// side, as a SQLite file under its instance lock is: from a source, what
// the daemons wrote after the copy's snapshot would be missing from the
// copy (the mail it took in already moved out of the mailbox); on a
// target they would write beside it. Once the leader has stopped (its
// lease given up), the copy goes.
func TestCopyRefusesADatabaseADaemonRunsOn(t *testing.T) {
	ctx := context.Background()
	dsn := cluster.Database(t)
	pg := storecopy.Endpoint{Driver: "postgres", DSN: dsn}
	st, err := drivers.Open(ctx, drivers.Options{Driver: "postgres", DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	leader, ok := st.(interface {
		TryLead(ctx context.Context, owner string, ttl time.Duration) (bool, error)
		Resign(ctx context.Context, owner string) error
	})
	if !ok {
		t.Fatalf("%T has no leader lease", st)
	}
	if won, err := leader.TryLead(ctx, "db1:4242", time.Hour); err != nil || !won {
		t.Fatalf("TryLead: %v %v", won, err)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if s, err := drivers.Open(ctx, drivers.Options{Driver: "sqlite", DSN: empty}); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	sqliteAt := func(name string) storecopy.Endpoint {
		return storecopy.Endpoint{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), name)}
	}
	for _, c := range []struct {
		name     string
		from, to storecopy.Endpoint
	}{
		{"source", pg, sqliteAt("back.db")},
		{"target", storecopy.Endpoint{Driver: "sqlite", DSN: empty}, pg},
	} {
		_, err := storecopy.Copy(ctx, c.from, c.to)
		if want := "a `sportel run` is running on it (db1:4242 holds the leader lease"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s with a daemon on it: %v, want %q", c.name, err, want)
		}
	}
	if err := leader.Resign(ctx, "db1:4242"); err != nil {
		t.Fatal(err)
	}
	if _, err := storecopy.Copy(ctx, pg, sqliteAt("back.db")); err != nil {
		t.Errorf("copy once the daemon stopped: %v", err)
	}
}
