package testutil

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// LogBuffer is a concurrency-safe sink for log output written from several
// goroutines (the code under test and its servers). The zero value is ready
// to use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLogBuffer returns a LogBuffer whose contents are logged to tb when the
// test fails. The buffer itself never calls tb, so a logger writing to it
// may outlive the test (e.g. when installed as slog's default).
func NewLogBuffer(tb testing.TB) *LogBuffer {
	l := &LogBuffer{}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("logs:\n%s", l.String())
		}
	})
	return l
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Logger returns a text logger that writes records of at least level to l.
func (l *LogBuffer) Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: level}))
}

// DiscardLogger returns a logger that drops everything, for tests that do
// not look at logs.
func DiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
