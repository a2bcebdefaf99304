package testutil_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// fakeTB records what a helper reports instead of failing the real test.
// Methods it does not override panic through the nil embedded TB, so a
// helper calling something unexpected shows up.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	msgs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// do runs fn as a test body would: on its own goroutine, so Fatalf's
// Goexit ends fn only.
func (f *fakeTB) do(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// finish runs the cleanups, last registered first, as the testing package does.
func (f *fakeTB) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.do(f.cleanups[i])
	}
}

func (f *fakeTB) output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "\n")
}

// checkReport compares what a helper reported with the expectation: no
// failure when want is "", else a failure whose message contains want.
func checkReport(t *testing.T, f *fakeTB, want string) {
	t.Helper()
	switch {
	case want == "" && f.Failed():
		t.Errorf("helper failed the test: %s", f.output())
	case want != "" && !f.Failed():
		t.Errorf("helper passed, want a failure with %q", want)
	case want != "" && !strings.Contains(f.output(), want):
		t.Errorf("failure %q, want it to contain %q", f.output(), want)
	}
}

func TestPoll(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		trueAfter int   // cond holds from this call on; 0: never
		err       error // returned by cond from its first call
		wantErr   error
		minCalls  int
	}{
		{"holds at once", 1, nil, nil, 1},
		{"holds after a few calls", 4, nil, nil, 4},
		{"error stops at once", 0, boom, boom, 1},
		{"never holds", 0, nil, testutil.ErrGaveUp, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := testutil.Poll(50*time.Millisecond, func() (bool, error) {
				calls++
				return tt.trueAfter > 0 && calls >= tt.trueAfter, tt.err
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Poll = %v, want %v", err, tt.wantErr)
			}
			if calls < tt.minCalls || (tt.trueAfter > 0 && calls != tt.trueAfter) || (tt.err != nil && calls != 1) {
				t.Errorf("cond called %d times", calls)
			}
		})
	}
}

func TestEventually(t *testing.T) {
	tests := []struct {
		name string
		cond func() (bool, error)
		want string // "" means it passes
	}{
		{"holds", func() (bool, error) { return true, nil }, ""},
		{"cond fails", func() (bool, error) { return false, errors.New("store closed") }, "wait for the mail: store closed"},
		{"times out", func() (bool, error) { return false, nil }, "wait for the mail: gave up waiting after 20ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTB{}
			returned := false
			f.do(func() {
				testutil.Eventually(f, "the mail", 20*time.Millisecond, tt.cond)
				returned = true
			})
			checkReport(t, f, tt.want)
			if returned != (tt.want == "") {
				t.Errorf("Eventually returned = %v; it must stop the test exactly when it fails", returned)
			}
		})
	}
}

func TestRunBackground(t *testing.T) {
	untilCancel := func(ctx context.Context) error { <-ctx.Done(); return nil }
	tests := []struct {
		name       string
		fn         func(ctx context.Context) error
		stopByTest bool // else only the cleanup stops it
		want       string
	}{
		{"stops cleanly", untilCancel, true, ""},
		{"cleanup stops it", untilCancel, false, ""},
		{"error is reported", func(ctx context.Context) error { <-ctx.Done(); return errors.New("flush failed") },
			true, "watcher returned flush failed, want nil after cancel"},
		{"ignores cancel", func(ctx context.Context) error { time.Sleep(time.Second); return nil },
			true, "watcher did not return within 50ms of cancel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTB{}
			started, cancelled := make(chan struct{}), make(chan struct{})
			stop := testutil.RunBackground(f, "watcher", 50*time.Millisecond, func(ctx context.Context) error {
				close(started)
				context.AfterFunc(ctx, func() { close(cancelled) })
				return tt.fn(ctx)
			})
			<-started
			if tt.stopByTest {
				stop()
				stop() // a second call must neither block nor report twice
			}
			f.finish()
			checkReport(t, f, tt.want)
			if n := strings.Count(f.output(), "watcher"); tt.want != "" && n != 1 {
				t.Errorf("reported %d times, want once: %s", n, f.output())
			}
			// AfterFunc runs in a goroutine of its own: give it a moment.
			select {
			case <-cancelled:
			case <-time.After(time.Second):
				t.Error("fn's context was not cancelled")
			}
		})
	}
}

func TestAwait(t *testing.T) {
	tests := []struct {
		name    string
		fn      func(ctx context.Context) error
		wantErr string
		want    string
	}{
		{"returns nil", func(context.Context) error { return nil }, "", ""},
		{"returns its error", func(context.Context) error { return errors.New("listen: address in use") }, "address in use", ""},
		{"does not return", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, "", "runAll did not return within 20ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTB{}
			var err error
			f.do(func() { err = testutil.Await(f, "runAll", 20*time.Millisecond, tt.fn) })
			checkReport(t, f, tt.want)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Await = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

// The client config trusts the server's certificate and nothing else.
func TestSelfSignedTLS(t *testing.T) {
	server, client := testutil.SelfSignedTLS(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// The handshake runs on the first read; the client hangs up after it.
			go func() { defer c.Close(); _, _ = c.Read(make([]byte, 1)) }()
		}
	}()
	tests := []struct {
		name       string
		client     *tls.Config
		serverName string
		wantErr    string
	}{
		{"trusted by IP", client, "127.0.0.1", ""},
		{"trusted by name", client, "localhost", ""},
		{"other name", client, "mail.example.org", "certificate is valid for"},
		{"system roots", &tls.Config{}, "127.0.0.1", "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.client.Clone()
			cfg.ServerName = tt.serverName
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(), cfg)
			if err == nil {
				c.Close()
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("handshake: %v, want error %q", err, tt.wantErr)
			}
		})
	}
}

func TestLogBuffer(t *testing.T) {
	l := &testutil.LogBuffer{}
	log := l.Logger(slog.LevelInfo)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { log.Info("taken in", "n", i) })
	}
	wg.Wait()
	log.Debug("below the level")
	if n := strings.Count(l.String(), "msg=\"taken in\""); n != 8 {
		t.Errorf("%d records from 8 goroutines:\n%s", n, l.String())
	}
	if strings.Contains(l.String(), "below the level") {
		t.Errorf("a debug record passed an info logger:\n%s", l.String())
	}
}

func TestNewLogBufferShowsLogsOnFailure(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("failed=%v", fail), func(t *testing.T) {
			f := &fakeTB{}
			l := testutil.NewLogBuffer(f)
			l.Logger(slog.LevelDebug).Error("imap mailbox cannot be read")
			if fail {
				f.Errorf("the test failed")
			}
			f.finish()
			if got := strings.Contains(f.output(), "imap mailbox cannot be read"); got != fail {
				t.Errorf("logs shown = %v, want %v: %s", got, fail, f.output())
			}
		})
	}
}

func TestFreeAddr(t *testing.T) {
	addr := testutil.FreeAddr(t)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the free address %s: %v", addr, err)
	}
	ln.Close()
}

// A listener from Listen takes connections while its test runs and is
// closed when the test ends.
func TestListen(t *testing.T) {
	var addr string
	t.Run("inner", func(t *testing.T) {
		ln := testutil.Listen(t)
		addr = ln.Addr().String()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial the listener: %v", err)
		}
		c.Close()
	})
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still takes connections after its test ended", addr)
	}
}

func TestDiscardLogger(t *testing.T) {
	if testutil.DiscardLogger().Enabled(context.Background(), slog.LevelError) {
		t.Error("the discard logger handles records")
	}
}
