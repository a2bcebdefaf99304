package main

import (
	"log/slog"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// A SIGHUP to `sportel run` is logged and changes nothing: without the
// handler its default action would end this test process. One that comes
// before the logger exists (the configuration is still being read) is held
// and logged once it does.
func TestHangupDoesNotStopTheDaemon(t *testing.T) {
	const want = `level=WARN msg="SIGHUP: reloading the configuration is not supported yet; restart to apply changes"`
	h := catchHangups()
	defer h.stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs := testutil.NewLogBuffer(t)
	h.warn(logs.Logger(slog.LevelInfo))
	for n := 1; n <= 2; n++ {
		testutil.Eventually(t, "the SIGHUP warning", 10*time.Second, func() (bool, error) {
			return strings.Count(logs.String(), want) == n, nil
		})
		if n == 1 {
			if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
	}
}
