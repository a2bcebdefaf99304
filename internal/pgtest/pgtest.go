// Package pgtest runs a private PostgreSQL cluster for a test binary: initdb
// in a temporary directory, its own port on 127.0.0.1, its socket in that
// directory, durability off for speed. A test package starts one in
// TestMain and gets a fresh database per test from it. Without PostgreSQL's
// binaries (Debian's postgresql package, as .ci/run installs it) the tests
// that ask for a database skip with the reason. The cluster starts when a
// test first asks for a database, so a package whose other tests run alone
// pays nothing. It is imported by _test files only.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/internal/testutil"
)

// startTimeout bounds initdb and the server's start: both take a second or
// two on an idle machine.
const startTimeout = 2 * time.Minute

// Cluster is a private PostgreSQL server, started on first use, or the
// reason there is none.
type Cluster struct {
	once sync.Once
	skip string // why there is no cluster; "" when there is one
	dir  string // holds data/, the socket and the log
	bin  string
	port string
	// cred runs the server's tools as the postgres user: initdb and
	// postgres refuse to run as root. nil when we are not root.
	cred   *syscall.Credential
	server *exec.Cmd
	exited chan struct{} // closed when the server process has ended

	mu    sync.Mutex // serialises CREATE DATABASE on admin
	admin *pgx.Conn
	next  int
}

// New returns a cluster that starts when Database is first called. Stop (or
// Main) must be called when the tests are done; should the test binary die
// first (a panic, -timeout), the kernel sends the server SIGQUIT (its
// temporary directory stays behind).
func New() *Cluster { return &Cluster{} }

// Main is TestMain for a package that uses c: it runs the tests and stops
// the cluster, and returns the exit code.
func (c *Cluster) Main(m *testing.M) int {
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// start starts the server, or records why it cannot.
func (c *Cluster) start() {
	if err := c.tryStart(); err != nil {
		if stopErr := c.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		c.skip = err.Error()
	}
}

func (c *Cluster) tryStart() error {
	var err error
	if c.bin, err = findBin(); err != nil {
		return err
	}
	c.dir, err = os.MkdirTemp("", "sportel-pg-")
	if err != nil {
		return fmt.Errorf("postgresql: make cluster directory: %w", err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("postgresql: running as root and no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return fmt.Errorf("postgresql: hand %s to postgres: %w", c.dir, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	return c.boot(ctx)
}

// findBin returns the directory of initdb, pg_ctl and postgres: from
// SPORTEL_PG_BIN, else Debian's newest /usr/lib/postgresql/N/bin, else PATH.
func findBin() (string, error) {
	if dir := os.Getenv("SPORTEL_PG_BIN"); dir != "" {
		// Only there: a wrong path should not quietly test another server.
		if err := hasTools(dir); err != nil {
			return "", fmt.Errorf("postgresql: SPORTEL_PG_BIN=%s: %w", dir, err)
		}
		return dir, nil
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(debian, func(i, j int) bool { return pgVersion(debian[i]) > pgVersion(debian[j]) })
	candidates := debian
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, dir := range candidates {
		if hasTools(dir) == nil {
			return dir, nil
		}
	}
	return "", errors.New("postgresql not installed: install Debian's postgresql package (as .ci/run does) or set SPORTEL_PG_BIN to the directory of initdb and pg_ctl")
}

func hasTools(dir string) error {
	for _, tool := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			return fmt.Errorf("no %s: %w", tool, err)
		}
	}
	return nil
}

// pgVersion is N of /usr/lib/postgresql/N/bin (0 when it is not a number).
func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// boot runs initdb and starts the server on a free port, trying another
// port when the one picked was taken in between.
func (c *Cluster) boot(ctx context.Context) error {
	data := filepath.Join(c.dir, "data")
	initdb := c.command(ctx, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("postgresql: initdb: %w\n%s", err, out)
	}
	var lastErr error
	for range 3 {
		addr, err := testutil.FindFreeAddr()
		if err != nil {
			return err
		}
		_, port, _ := net.SplitHostPort(addr)
		if lastErr = c.serve(ctx, data, port); lastErr == nil {
			return nil
		}
	}
	return lastErr
}

// serve starts postgres on port as a child of the test binary (not through
// pg_ctl, whose server outlives it) and waits until it takes connections.
func (c *Cluster) serve(ctx context.Context, data, port string) error {
	logPath := filepath.Join(c.dir, "server-"+port+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	// Not CommandContext: the server must outlive ctx, which bounds the start.
	cmd := c.command(context.Background(), "postgres", "-D", data, "-p", port, "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1",
		// Nothing here needs to survive a crash.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgresql: start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	c.port = port
	err = testutil.Poll(startTimeout, func() (bool, error) {
		select {
		case <-exited:
			return false, errors.New("the server exited")
		case <-ctx.Done():
			return false, ctx.Err()
		default:
		}
		conn, err := pgx.Connect(ctx, c.dsn("postgres"))
		if err != nil {
			return false, nil // not up yet
		}
		c.admin = conn
		return true, nil
	})
	if err != nil {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		<-exited
		log, _ := os.ReadFile(logPath)
		return fmt.Errorf("postgresql: start on port %s: %w\n%s", port, err, log)
	}
	c.server, c.exited = cmd, exited
	return nil
}

// command runs one of the server's tools as the postgres user when we are
// root, and has the kernel stop it should the test binary die.
func (c *Cluster) command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, tool), args...)
	cmd.Dir = c.dir // the postgres user may not enter the test's directory
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGQUIT}
	return cmd
}

func (c *Cluster) dsn(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%s user=postgres dbname=%s sslmode=disable", c.port, db)
}

// Database creates a fresh, empty database for tb and returns its DSN; it
// is dropped when tb ends. Without a cluster it skips tb.
func (c *Cluster) Database(tb testing.TB) string {
	tb.Helper()
	c.once.Do(c.start)
	if c.skip != "" {
		tb.Skip(c.skip)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.mu.Lock()
	c.next++
	name := fmt.Sprintf("t%d", c.next)
	// FILE_COPY copies template1's files instead of writing them to the
	// WAL: with fsync off it is the faster of the two.
	_, err := c.admin.Exec(ctx, "CREATE DATABASE "+name+" STRATEGY FILE_COPY")
	c.mu.Unlock()
	if err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	// Registered before the caller's cleanups, so it runs after them (a
	// store still open is cut off by FORCE).
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, err := c.admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	return c.dsn(name)
}

// Stop stops the server, if it was started, and removes its directory.
func (c *Cluster) Stop() error {
	if c.dir == "" {
		return nil
	}
	var errs []error
	if c.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c.admin.Close(ctx)
		cancel()
		c.admin = nil
	}
	if c.server != nil {
		// SIGQUIT is PostgreSQL's immediate shutdown: nothing here is kept.
		if err := c.server.Process.Signal(syscall.SIGQUIT); err != nil {
			errs = append(errs, fmt.Errorf("postgresql: stop server: %w", err))
		}
		<-c.exited
		c.server = nil
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("postgresql: remove %s: %w", c.dir, err))
	}
	c.dir = ""
	return errors.Join(errs...)
}
