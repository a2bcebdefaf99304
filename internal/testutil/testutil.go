// Package testutil holds the helpers Sportel's tests share: waiting for a
// condition, running a part of the daemon in the background, self-signed
// TLS, and log capture. It is imported by _test files only.
package testutil

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ErrGaveUp is what Poll returns when the condition did not hold in time.
var ErrGaveUp = errors.New("gave up waiting")

// pollMax is the longest pause between two checks of a condition. Checks
// start a millisecond apart, so a condition that holds soon is seen soon.
const pollMax = 20 * time.Millisecond

// Poll calls cond until it reports done, returns an error, or limit passes.
// It returns nil when cond held, cond's error, or ErrGaveUp (wrapped) when
// time ran out. cond is called at least once, and once more after limit.
func Poll(limit time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	pause := time.Millisecond
	for {
		// Read the clock before cond: a cond that runs past the deadline
		// still gets its answer counted.
		late := time.Now().After(deadline)
		done, err := cond()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if late {
			return fmt.Errorf("%w after %s", ErrGaveUp, limit)
		}
		time.Sleep(pause)
		pause = min(2*pause, pollMax)
	}
}

// Eventually waits until cond reports done. It fails tb at once when cond
// returns an error, and when limit passes first; what names the awaited
// state in the failure message.
func Eventually(tb testing.TB, what string, limit time.Duration, cond func() (bool, error)) {
	tb.Helper()
	if err := Poll(limit, cond); err != nil {
		tb.Fatalf("wait for %s: %v", what, err)
	}
}

// RunBackground runs fn in its own goroutine until the returned stop is
// called. stop cancels fn's context and waits at most limit for fn to
// return; it fails tb when fn returned an error or did not return in time.
// stop may be called more than once, and runs at cleanup if the test did
// not call it, so nothing outlives the test unnoticed.
func RunBackground(tb testing.TB, name string, limit time.Duration, fn func(context.Context) error) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	var once sync.Once
	stop = func() {
		tb.Helper()
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					tb.Errorf("%s returned %v, want nil after cancel", name, err)
				}
			case <-time.After(limit):
				tb.Errorf("%s did not return within %s of cancel", name, limit)
			}
		})
	}
	tb.Cleanup(stop)
	return stop
}

// Await runs fn, which is expected to return on its own, and returns its
// error. If fn has not returned within limit, Await cancels fn's context
// and fails tb.
func Await(tb testing.TB, what string, limit time.Duration, fn func(context.Context) error) error {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		cancel()
		tb.Fatalf("%s did not return within %s", what, limit)
		return nil
	}
}

// FreeAddr returns a loopback host:port that nobody listens on at the
// moment, for a server the test starts later.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	addr, err := FindFreeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	return addr
}

// FindFreeAddr is FreeAddr for code that has no testing.TB (a TestMain).
//
// The port is drawn at random below the kernel's ephemeral range, not
// asked of the kernel (":0"): the kernel hands the ports of that range to
// every other listener on ":0" and every outgoing connection, so a port it
// gave and the test let go was soon another server's (CI once saw /readyz
// answered by another test's fake Bot API). Only two FreeAddr calls in the
// same moment can meet below it, one chance in thousands.
func FindFreeAddr() (string, error) {
	low := ephemeralLow()
	for range 200 {
		port := firstTestPort + rand.IntN(low-firstTestPort)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// firstTestPort is the lowest port FindFreeAddr draws: above the ports
// services are usually configured on.
const firstTestPort = 20000

// ephemeralLow is the first port of the kernel's ephemeral range (32768
// when it cannot be read, Linux's default).
func ephemeralLow() int {
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	if low <= firstTestPort+1000 {
		low = firstTestPort + 1000
	}
	return low
}

// ExecSQL runs qs, in order, on the database driver opens at dsn, outside
// the code under test (a test reshaping a file, as an older version or
// another program would have left it); the caller's binary registers the
// driver.
func ExecSQL(tb testing.TB, driver, dsn string, qs ...string) {
	tb.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// HoldSQLiteWriteLock takes the write lock of the SQLite database at path
// on a connection of its own, as another process would (sqlite3 with a
// transaction open, a backup tool), until release; the caller's binary
// registers the "sqlite" driver.
func HoldSQLiteWriteLock(tb testing.TB, path string) (release func()) {
	tb.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		db.Close()
		tb.Fatal(err)
	}
	return func() {
		tb.Helper()
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			tb.Errorf("let go of the write lock: %v", err)
		}
		conn.Close()
		db.Close()
	}
}

// Listen listens on a free loopback port until the test ends.
func Listen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	return ln
}

// Location loads the time zone name (Europe/Belgrade, the division's)
// from the system's zone database, failing tb when it cannot.
func Location(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("time zone %s: %v", name, err)
	}
	return loc
}
