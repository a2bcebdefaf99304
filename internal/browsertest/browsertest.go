// Package browsertest drives a headless Chromium from Go tests: it starts the
// browser (or skips the test when there is none), checks a page with axe-core
// and keeps full-page screenshots.
//
// A test opens a tab with New and drives it with chromedp (v0.23's generic
// actions: chromedp.Do for steps without a value, chromedp.Run for one that
// has one):
//
//	ctx := browsertest.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/queue")); err != nil {
//		t.Fatal(err)
//	}
//	title, err := chromedp.Run(ctx, chromedp.Title())
//	...
//	browsertest.Axe(t, ctx)              // a subtest "axe": fails on serious or critical violations
//	browsertest.Screenshot(t, ctx, "queue") // $SPORTEL_SCREENSHOTS/queue.png when the variable is set
//
// Environment:
//   - SPORTEL_CHROMIUM: the browser to run (default: chromium, chromium-browser or
//     google-chrome on PATH, first found).
//   - SPORTEL_AXE_CORE: axe.min.js (default: .cache/axe-core/axe.min.js at the
//     repository root, where .ci/run puts it).
//   - SPORTEL_SCREENSHOTS: the folder screenshots go to (none taken when unset).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Environment variables the package reads.
const (
	EnvChromium    = "SPORTEL_CHROMIUM"
	EnvAxeCore     = "SPORTEL_AXE_CORE"
	EnvScreenshots = "SPORTEL_SCREENSHOTS"
)

// Window size of the tab: a laptop's screen, so screenshots look like what an
// officer sees. Screenshots cover the whole page regardless.
const (
	windowWidth  = 1280
	windowHeight = 900
)

// browserNames are tried in order when SPORTEL_CHROMIUM is unset; Debian's
// package installs /usr/bin/chromium.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// FindBrowser returns the path of the browser New would run, or "" when there
// is none.
func FindBrowser() string {
	if p := os.Getenv(EnvChromium); p != "" {
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
		return ""
	}
	for _, name := range browserNames {
		if full, err := exec.LookPath(name); err == nil {
			return full
		}
	}
	return ""
}

// New starts a headless browser for the test and returns the chromedp context
// of its first tab. The test is skipped when no browser is installed, and
// fails when one is installed but does not start. The browser stops when the
// test ends.
//
// Each call starts a browser of its own (a clean profile: no cookies shared
// between tests). For a second tab in the same browser — a second officer,
// say — use chromedp.NewContext(ctx) after the first tab has run an action.
func New(t testing.TB) context.Context {
	t.Helper()
	path := FindBrowser()
	if path == "" {
		if p := os.Getenv(EnvChromium); p != "" {
			t.Skipf("browser test skipped: %s=%q is not an executable", EnvChromium, p)
		}
		t.Skipf("browser test skipped: no chromium on PATH (apt-get install chromium, or set %s)", EnvChromium)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// Chromium refuses to start as root with its sandbox, and CI runs as
		// root; the pages under test are our own.
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(windowWidth, windowHeight),
		chromedp.UserDataDir(t.TempDir()),
	)
	// The browser lives as long as this context; it ends with the test, or at
	// the test binary's deadline so that a stuck browser fails with a reason
	// rather than a panic.
	base, baseCancel := context.WithCancel(context.Background())
	if d, ok := deadline(t); ok {
		base, baseCancel = context.WithDeadline(context.Background(), d.Add(-5*time.Second))
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(base, opts...)
	// chromedp logs from its own goroutines; once the test is over, t.Logf
	// would panic, so the log closes with the browser.
	var logMu sync.Mutex
	logOpen := true
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		if logOpen {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		defer func() {
			logMu.Lock()
			logOpen = false
			logMu.Unlock()
		}()
		// Close the browser gracefully (it flushes its profile), within a bound.
		stop, stopCancel := context.WithTimeout(ctx, 10*time.Second)
		defer stopCancel()
		if err := chromedp.Cancel(stop); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("browsertest: stop browser: %v", err)
		}
		cancel()
		allocCancel()
		baseCancel()
	})
	// The first action starts the browser; do it here so that a browser that
	// cannot start fails the test at New, with its reason.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return ctx
}

// deadline returns the test's deadline when t has one (a *testing.T run with
// -timeout).
func deadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

// RepoRoot returns the directory of the nearest go.mod above the working
// directory (a test runs in its package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Screenshot writes a full-page PNG of the tab to $SPORTEL_SCREENSHOTS/name.png
// when the variable is set, and does nothing otherwise. name may contain only
// letters, digits, '-', '_' and '.'; anything else becomes '_'.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv(EnvScreenshots)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, fullPage)
	if err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, fileName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	t.Logf("browsertest: screenshot %s", path)
}

// fullPage captures the whole document, not only the viewport (chromedp's
// FullScreenshot stops at the viewport): the clip is the scrollable area's
// size from the layout metrics.
func fullPage(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, fmt.Errorf("layout metrics: %w", err)
	}
	if m.CSSContentSize == nil {
		return nil, errors.New("layout metrics: no content size")
	}
	capture := true
	r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: &capture,
		FromSurface:           &capture,
		Clip: &page.Viewport{
			Width:  math.Ceil(m.CSSContentSize.Width),
			Height: math.Ceil(m.CSSContentSize.Height),
			Scale:  1,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	return r.Data, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName keeps a screenshot inside its folder whatever name a test passes.
func fileName(name string) string {
	n := strings.Trim(unsafeName.ReplaceAllString(name, "_"), "._")
	if n == "" {
		return "screenshot"
	}
	return n
}
