package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/internal/testutil"
)

// Server is a PostgreSQL server of one test's own, run through pg_ctl so
// the test can stop, start and restart it under a running daemon without
// disturbing the package's shared Cluster. Its data directory is the
// test's; it listens on a loopback port of its own that stays the same
// across restarts, so a DSN taken once keeps working.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string // owned by the server's user: data/, the socket, the log
	port string
	cred *syscall.Credential
}

// StartServer runs initdb and starts a private server for tb; it is stopped
// (immediately) when tb ends. Without PostgreSQL it skips tb.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	bin, err := findBin()
	if err != nil {
		tb.Skip(err.Error())
	}
	s := &Server{tb: tb, bin: bin}
	// Not tb.TempDir: the postgres user must be able to enter every
	// directory above data/, and the test's directory is root's alone.
	s.dir, err = os.MkdirTemp("", "sportel-pgsrv-")
	if err != nil {
		tb.Fatalf("postgresql: make server directory: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(s.dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skipf("postgresql: running as root and no postgres user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(s.dir, uid, gid); err != nil {
			tb.Fatalf("postgresql: hand %s to postgres: %v", s.dir, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if out, err := s.command(ctx, "initdb", "-D", s.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		tb.Fatalf("postgresql: initdb: %v\n%s", err, out)
	}
	addr, err := testutil.FindFreeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	_, s.port, _ = net.SplitHostPort(addr)
	// The options live in the cluster's own configuration, so pg_ctl
	// restart keeps them.
	conf := fmt.Sprintf("port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"+
		"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n", s.port, s.dir)
	f, err := os.OpenFile(filepath.Join(s.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatalf("postgresql: %v", err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatalf("postgresql: write postgresql.conf: %v", err)
	}
	tb.Cleanup(func() {
		// Immediate: nothing here is kept, and a test that failed
		// half-way may have left it in any state.
		_ = s.command(context.Background(), "pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop").Run()
	})
	s.Start()
	return s
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, tool), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	return cmd
}

// pgCtl runs pg_ctl with args and waits for it (-w: until the server is up
// or down).
func (s *Server) pgCtl(args ...string) {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	full := append([]string{"-D", s.data(), "-w", "-l", filepath.Join(s.dir, "server.log")}, args...)
	if out, err := s.command(ctx, "pg_ctl", full...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		s.tb.Fatalf("postgresql: pg_ctl %v: %v\n%s\n%s", args, err, out, log)
	}
}

// Start starts the server and waits until it takes connections.
func (s *Server) Start() { s.tb.Helper(); s.pgCtl("start") }

// Stop stops the server in fast mode: sessions are ended, their
// transactions rolled back.
func (s *Server) Stop() { s.tb.Helper(); s.pgCtl("-m", "fast", "stop") }

// Restart is pg_ctl restart -m fast.
func (s *Server) Restart() { s.tb.Helper(); s.pgCtl("-m", "fast", "restart") }

// DSN is the connection string of database db on this server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%s user=postgres dbname=%s sslmode=disable", s.port, db)
}

// Database creates database name and returns its DSN.
func (s *Server) Database(name string) string {
	s.tb.Helper()
	s.Exec("postgres", "CREATE DATABASE "+name)
	return s.DSN(name)
}

// Connect opens a session of the test's own on database db, closed when
// the test ends.
func (s *Server) Connect(db string) *pgx.Conn {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN(db))
	if err != nil {
		s.tb.Fatalf("postgresql: connect to %s: %v", db, err)
	}
	s.tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Exec runs sql in a session of its own on database db.
func (s *Server) Exec(db, sql string, args ...any) {
	s.tb.Helper()
	conn := s.Connect(db)
	defer conn.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		s.tb.Fatalf("postgresql: %s: %v", sql, err)
	}
}
