package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/internal/testutil"
	"sportel/store/sqlite"
)

// startStopLimit is how long `sportel run` may take to exit after the first
// SIGTERM while its start waits for something: far below systemd's 90 s
// stop timeout, far above a stop that works.
const startStopLimit = 10 * time.Second

// silentListener accepts connections and never answers: a server that is
// up but stuck (a PostgreSQL, IMAP or Bot API behind a hung proxy).
// accepted is closed once the first connection came.
type silentListener struct {
	addr     string
	accepted chan struct{}
}

func startSilentListener(tb testing.TB) *silentListener {
	tb.Helper()
	ln := testutil.Listen(tb)
	s := &silentListener{addr: ln.Addr().String(), accepted: make(chan struct{})}
	var (
		once  sync.Once
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			once.Do(func() { close(s.accepted) })
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return s
}

// waitOpened waits until process pid has path open n times. SQLite opens
// the database file once a connection: the daemon's store pings with its
// reading pool, then its writing connection opens only inside the BEGIN
// IMMEDIATE of the first migration, so two opens mean the daemon has
// reached the wait for the write lock (one open only meant it was still
// pinging, and a stop there is a different stop than the test means).
func waitOpened(tb testing.TB, pid int, path string, n int) {
	tb.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	testutil.Eventually(tb, fmt.Sprintf("the daemon to open %s %d times", path, n), time.Minute, func() (bool, error) {
		ents, err := os.ReadDir(fds)
		if err != nil {
			return false, nil
		}
		opened := 0
		for _, e := range ents {
			if l, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && l == path {
				opened++
			}
		}
		return opened >= n, nil
	})
}

// waitFIFOOpened waits until a reader has the FIFO at path open (a writer
// opened without blocking is refused, ENXIO, until then), and keeps the
// writer open, never writing, so the reader's read waits on.
func waitFIFOOpened(t *testing.T, path string) {
	t.Helper()
	var w *os.File
	testutil.Eventually(t, "the daemon to open "+path, time.Minute, func() (bool, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return false, nil
		}
		w = f
		return true, nil
	})
	t.Cleanup(func() { w.Close() })
}

// startDaemonOnFIFO starts bin with a FIFO for its configuration file.
func startDaemonOnFIFO(t *testing.T, bin string) (*daemon, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sportel.yaml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: exec.Command(bin, "run", "--config", path), logs: &testutil.LogBuffer{}, exited: make(chan error, 1)}
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
		}
	})
	return d, path
}

// flockFree reports whether nobody holds the instance lock on path.lock.
func flockFree(t *testing.T, dbPath string) {
	t.Helper()
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("the instance lock is still held after the stop: %v", err)
	}
}

// pgIdle waits until only the test's own sessions are connected to the
// database at dsn: the daemon left none behind.
func pgIdle(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	testutil.Eventually(t, "the daemon's sessions to end", time.Minute, func() (bool, error) {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
			AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`).Scan(&n)
		return n == 0, err
	})
}

// A stop (SIGTERM, what `systemctl stop` sends) while `sportel run` is
// still starting, waiting for something that does not come, ends it at
// once with exit 0 (the operator asked for it) and a log line that names
// what it was waiting for, and leaves nothing held. Each row makes one
// step of the start wait; the IMAP and Bot API rows wait inside the
// running daemon, which honoured the stop before.
func TestStopDuringStartup(t *testing.T) {
	bin := buildSportel(t)
	type arranged struct {
		edit     func(cfg string) string
		blocked  func(t *testing.T, pid int) // returns once the daemon waits
		released func(t *testing.T)          // checks nothing is left held
		// configFIFO starts the daemon on a FIFO for its configuration
		// file instead of the stack's; it waits while reading it.
		configFIFO bool
	}
	pgDriver := func(cfg, sqliteDSN, dsn string) string {
		return strings.Replace(strings.Replace(cfg, "driver: sqlite", "driver: postgres", 1), "dsn: "+sqliteDSN, "dsn: '"+dsn+"'", 1)
	}
	tests := []struct {
		name    string
		arrange func(t *testing.T, s *stack) arranged
		wantLog string
	}{
		{
			name: "postgres accepts and never answers",
			arrange: func(t *testing.T, s *stack) arranged {
				pg := startSilentListener(t)
				host, port, _ := strings.Cut(pg.addr, ":")
				// Longer than the test waits: only the stop can end it.
				dsn := fmt.Sprintf("host=%s port=%s user=sportel dbname=sportel sslmode=disable connect_timeout=600", host, port)
				return arranged{
					edit:    func(cfg string) string { return pgDriver(cfg, s.cfg.Store.DSN, dsn) },
					blocked: func(*testing.T, int) { <-pg.accepted },
				}
			},
			wantLog: `waiting_for="open store: open postgres sportel@127.0.0.1:`,
		},
		{
			name: "postgres migrations wait for another instance's advisory lock",
			arrange: func(t *testing.T, s *stack) arranged {
				dsn := pgCluster.Database(t)
				ctx := context.Background()
				holder, err := pgx.Connect(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { holder.Close(context.Background()) })
				if _, err := holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(0x73706f7274656c)); err != nil {
					t.Fatal(err)
				}
				return arranged{
					edit: func(cfg string) string { return pgDriver(cfg, s.cfg.Store.DSN, dsn) },
					blocked: func(t *testing.T, _ int) {
						testutil.Eventually(t, "the daemon to wait for the migration lock", time.Minute, func() (bool, error) {
							var n int
							err := holder.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&n)
							return n > 0, err
						})
					},
					released: func(t *testing.T) { pgIdle(t, dsn) },
				}
			},
			wantLog: "take the migration lock (another process holds it while it applies migrations): context canceled",
		},
		{
			name: "another process holds the SQLite write lock",
			arrange: func(t *testing.T, s *stack) arranged {
				ctx := context.Background()
				st, err := sqlite.Open(ctx, s.cfg.Store.DSN) // as a run before left it
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
				t.Cleanup(testutil.HoldSQLiteWriteLock(t, s.cfg.Store.DSN))
				return arranged{
					blocked:  func(t *testing.T, pid int) { waitOpened(t, pid, s.cfg.Store.DSN, 2) },
					released: func(t *testing.T) { flockFree(t, s.cfg.Store.DSN) },
				}
			},
			wantLog: "apply migrations: begin transaction: wait for the write lock another process holds: context canceled",
		},
		{
			name: "the configuration file is a FIFO nobody writes to",
			arrange: func(t *testing.T, s *stack) arranged {
				return arranged{configFIFO: true}
			},
			wantLog: "sportel: stopped while reading the configuration file",
		},
		{
			name: "the IMAP server accepts and never answers",
			arrange: func(t *testing.T, s *stack) arranged {
				imap := startSilentListener(t)
				return arranged{
					edit: func(cfg string) string {
						cfg = strings.Replace(cfg, "addr: "+s.box.(memServer).Addr, "addr: "+imap.addr, 1)
						return strings.Replace(cfg, "  poll_interval: 1s\n", "  poll_interval: 1s\n  dial_timeout: 10m\n  command_timeout: 10m\n", 1)
					},
					blocked:  func(*testing.T, int) { <-imap.accepted },
					released: func(t *testing.T) { flockFree(t, s.cfg.Store.DSN) },
				}
			},
			wantLog: `msg="stopped cleanly"`,
		},
		{
			name: "the Bot API accepts and never answers",
			arrange: func(t *testing.T, s *stack) arranged {
				api := startSilentListener(t)
				token := filepath.Join(t.TempDir(), "token")
				if err := os.WriteFile(token, []byte("123456:test-token\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				return arranged{
					edit: func(cfg string) string {
						return cfg + fmt.Sprintf("telegram:\n  token_file: %s\n  api_url: http://%s\n", token, api.addr)
					},
					blocked:  func(*testing.T, int) { <-api.accepted },
					released: func(t *testing.T) { flockFree(t, s.cfg.Store.DSN) },
				}
			},
			wantLog: `msg="stopped cleanly"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newMemStack(t)
			arr := tt.arrange(t, s)
			var d *daemon
			if arr.configFIFO {
				var path string
				d, path = startDaemonOnFIFO(t, bin)
				waitFIFOOpened(t, path)
			} else {
				d = startDaemonWith(t, bin, s, arr.edit)
				arr.blocked(t, d.cmd.Process.Pid)
			}
			if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-d.exited:
				if err != nil {
					t.Errorf("sportel run exited with %v after SIGTERM during its start, want 0\n%s", err, d.logs)
				}
			case <-time.After(startStopLimit):
				t.Fatalf("sportel run still runs %v after SIGTERM during its start\n%s", startStopLimit, d.logs)
			}
			t.Logf("the daemon's output:\n%s", d.logs)
			if !strings.Contains(d.logs.String(), tt.wantLog) {
				t.Errorf("no log line with %q:\n%s", tt.wantLog, d.logs)
			}
			if strings.Contains(d.logs.String(), "level=ERROR") {
				t.Errorf("a stop during the start logged an error:\n%s", d.logs)
			}
			if arr.released != nil {
				arr.released(t)
			}
		})
	}
}

// Run told to stop before its parts run (the stop came while Open or its
// own first steps waited) returns the stop as its error, never says the
// daemon runs, and leaves the instance lock and the leader lease free.
func TestRunStoppedBeforeItRuns(t *testing.T) {
	tests := []struct {
		name     string
		stack    func(testing.TB) *stack
		released func(t *testing.T, s *stack)
	}{
		{"sqlite", newMemStack, func(t *testing.T, s *stack) {
			unlock, err := s.open().Store().(instanceLocker).LockInstance()
			if err != nil {
				t.Fatalf("the instance lock after a stopped Run: %v", err)
			}
			if err := unlock(); err != nil {
				t.Fatal(err)
			}
		}},
		{"postgres", newPostgresMemStack, func(t *testing.T, s *stack) {
			holder, _, err := s.open().Store().(leaderLease).LeaseHolder(context.Background())
			if err != nil || holder != "" {
				t.Errorf("leader lease held by %q (%v) after a stopped Run, want none", holder, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.stack(t)
			a := s.open()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := testutil.Await(t, "Run", stopLimit, func(context.Context) error { return a.Run(ctx) })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run stopped before it ran: %v, want context.Canceled", err)
			}
			for _, notWant := range []string{"sportel running", "cannot compare this host's clock"} {
				if strings.Contains(s.logs.String(), notWant) {
					t.Errorf("Run stopped before it ran logged %q:\n%s", notWant, s.logs)
				}
			}
			tt.released(t, s)
		})
	}
}
