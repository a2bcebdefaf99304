package browsertest

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Two pages: one an officer could use with a screen reader, one with two
// critical faults axe-core knows (an image without a text alternative, a
// button without a name). Both under a strict Content-Security-Policy, as
// the workspace serves its pages.
const (
	goodPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Queue</title></head>
<body><main><h1>Queue</h1>
<img src="/dot.png" alt="Division logo">
<form><label for="q">Search</label> <input id="q" name="q"> <button type="submit">Search</button></form>
%s
</main></body></html>`
	badPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Queue</title></head>
<body><main><h1>Queue</h1>
<img id="logo" src="/dot.png">
<button id="go"></button>
</main></body></html>`
)

func pages(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	serve := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	// A page taller than the window (the policy refuses inline styles).
	long := strings.Repeat("<p>A long page, taller than the window.</p>\n", 80)
	mux.HandleFunc("/good", serve(fmt.Sprintf(goodPage, long)))
	mux.HandleFunc("/bad", serve(badPage))
	mux.HandleFunc("/dot.png", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// axeSource returns axe-core's source, or skips the test without it.
func axeSource(t *testing.T) []byte {
	t.Helper()
	path, err := AxePath()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("axe-core not available (%v): bash .ci/run fetches it", err)
	}
	return src
}

func TestRunAxe(t *testing.T) {
	ctx := New(t)
	src := axeSource(t)
	srv := pages(t)
	tests := []struct {
		page         string
		wantBlocking []string // rule ids, sorted
	}{
		{page: "/good", wantBlocking: nil},
		{page: "/bad", wantBlocking: []string{"button-name", "image-alt"}},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.page, "/"), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+tc.page)); err != nil {
				t.Fatal(err)
			}
			res, err := RunAxe(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.Version, "4.") {
				t.Errorf("axe version %q, want 4.x", res.Version)
			}
			if res.URL != srv.URL+tc.page {
				t.Errorf("axe checked %q, want %q", res.URL, srv.URL+tc.page)
			}
			var got []string
			for _, v := range res.Violations {
				if v.Blocking() {
					got = append(got, v.ID)
					if len(v.Nodes) == 0 {
						t.Errorf("%s: no elements named", v.ID)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.wantBlocking) {
				t.Errorf("serious or critical violations %v, want %v\n%s", got, tc.wantBlocking, FormatViolations(res.Violations))
			}
		})
	}
}

// recorder is a testing.TB that keeps what Errorf reports instead of failing,
// so that a test can check that checkAxe fails, and how it says so.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

func TestCheckAxeFailsOnlyOnBlockingViolations(t *testing.T) {
	ctx := New(t)
	axeSource(t)
	srv := pages(t)
	tests := []struct {
		page     string
		wantFail bool
		wantText []string
	}{
		{page: "/good"},
		{page: "/bad", wantFail: true, wantText: []string{
			"2 serious or critical violations",
			"[critical] image-alt: Images must have alternative text",
			"#logo",
			`<img id="logo" src="/dot.png">`,
			"[critical] button-name",
			"#go",
			"dequeuniversity.com",
		}},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.page, "/"), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+tc.page)); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{TB: t}
			checkAxe(rec, ctx)
			if failed := len(rec.errors) > 0; failed != tc.wantFail {
				t.Fatalf("checkAxe failed = %v, want %v: %q", failed, tc.wantFail, rec.errors)
			}
			msg := strings.Join(rec.errors, "\n")
			for _, want := range tc.wantText {
				if !strings.Contains(msg, want) {
					t.Errorf("report lacks %q:\n%s", want, msg)
				}
			}
		})
	}
	// The exported form passes on the good page.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	Axe(t, ctx)
}

func TestAxeSkipsWithoutAxeCore(t *testing.T) {
	t.Setenv(EnvAxeCore, filepath.Join(t.TempDir(), "absent.js"))
	ctx := New(t)
	srv := pages(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		Axe(t, ctx)
		// Axe's own subtest skipped; this one goes on.
		skipped = !t.Failed()
	})
	if !skipped {
		t.Error("Axe failed without axe-core; want a skip")
	}
}

func TestScreenshot(t *testing.T) {
	ctx := New(t)
	srv := pages(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}

	t.Run("unset", func(t *testing.T) {
		t.Setenv(EnvScreenshots, "")
		Screenshot(t, ctx, "queue") // nothing to check but that it does not fail
	})

	dir := filepath.Join(t.TempDir(), "shots")
	t.Setenv(EnvScreenshots, dir)
	Screenshot(t, ctx, "../queue page")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "queue_page.png" {
		t.Fatalf("screenshots folder holds %v, want queue_page.png", entries)
	}
	data, err := os.ReadFile(filepath.Join(dir, "queue_page.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// Full page: as wide as the window, taller than it (80 paragraphs).
	if b := img.Bounds(); b.Dx() != windowWidth || b.Dy() <= windowHeight {
		t.Errorf("screenshot is %dx%d, want %d wide and taller than %d", b.Dx(), b.Dy(), windowWidth, windowHeight)
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"queue", "queue"},
		{"ticket DKP-2026-000042", "ticket_DKP-2026-000042"},
		{"../../etc/passwd", "etc_passwd"},
		{"figures.sq", "figures.sq"},
		{"", "screenshot"},
		{"///", "screenshot"},
	}
	for _, tc := range tests {
		if got := fileName(tc.in); got != tc.want {
			t.Errorf("fileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(mod), "module sportel\n") {
		t.Errorf("%s/go.mod is not sportel's", root)
	}
}

func TestNewSkipsWithoutBrowser(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-browser"))
	if got := FindBrowser(); got != "" {
		t.Fatalf("FindBrowser() = %q with a missing %s", got, EnvChromium)
	}
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		New(t)
	})
	if !skipped {
		t.Error("New did not skip without a browser")
	}
}
