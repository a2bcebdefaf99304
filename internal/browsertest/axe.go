package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeDefault is where .ci/run keeps axe-core, relative to the repository root.
const axeDefault = ".cache/axe-core/axe.min.js"

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"` // minor, moderate, serious or critical
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that breaks a rule.
type AxeNode struct {
	// Target is the element's CSS selector path; an element inside a frame or
	// a shadow root has one selector per level.
	Target  []json.RawMessage `json:"target"`
	HTML    string            `json:"html"`
	Summary string            `json:"failureSummary"`
}

// Blocking reports whether the violation fails a test: serious or critical.
func (v Violation) Blocking() bool {
	return v.Impact == "serious" || v.Impact == "critical"
}

// AxeResult is what one run of axe-core found on a page.
type AxeResult struct {
	Version    string      `json:"version"`
	URL        string      `json:"url"`
	Violations []Violation `json:"violations"`
}

// AxePath returns the axe.min.js the tests use: $SPORTEL_AXE_CORE, or
// .cache/axe-core/axe.min.js at the repository root.
func AxePath() (string, error) {
	if p := os.Getenv(EnvAxeCore); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, axeDefault), nil
}

// Axe checks the tab's current page with axe-core in a subtest named "axe":
// the subtest fails listing every serious or critical violation (rule, impact,
// the elements and what to fix), logs the minor and moderate ones, and is
// skipped with a message when axe-core is not there (.ci/run fetches it). The
// calling test goes on either way. Call it once the page has loaded.
func Axe(t *testing.T, ctx context.Context) {
	t.Helper()
	t.Run("axe", func(t *testing.T) {
		checkAxe(t, ctx)
	})
}

// checkAxe is Axe's body, on a testing.TB so that the package's own tests can
// watch it fail.
func checkAxe(t testing.TB, ctx context.Context) {
	t.Helper()
	path, err := AxePath()
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("axe skipped: %s not found (bash .ci/run fetches it, or set %s)", path, EnvAxeCore)
	}
	if err != nil {
		t.Fatalf("axe: read %s: %v", path, err)
	}
	res, err := RunAxe(ctx, src)
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var blocking, other []Violation
	for _, v := range res.Violations {
		if v.Blocking() {
			blocking = append(blocking, v)
		} else {
			other = append(other, v)
		}
	}
	if len(other) > 0 {
		t.Logf("axe-core %s on %s: %d minor or moderate violations (not failing):\n%s",
			res.Version, res.URL, len(other), FormatViolations(other))
	}
	if len(blocking) > 0 {
		t.Errorf("axe-core %s on %s: %d serious or critical violations:\n%s",
			res.Version, res.URL, len(blocking), FormatViolations(blocking))
	}
}

// axeRun asks axe-core for the violations only, and hands them back as JSON
// text so that the shape is decoded on this side.
const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return JSON.stringify({version: axe.version, url: r.url, violations: r.violations});
})()`

// RunAxe injects axe-core (its source, src) into the tab's current page and
// runs it on the whole document. Runtime evaluation from DevTools is not
// subject to the page's Content-Security-Policy, so a strict policy does not
// stop the check.
func RunAxe(ctx context.Context, src []byte) (AxeResult, error) {
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		return AxeResult{}, fmt.Errorf("inject axe-core: %w", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return AxeResult{}, fmt.Errorf("run axe-core: %w", err)
	}
	var res AxeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return AxeResult{}, fmt.Errorf("decode axe-core result: %w", err)
	}
	return res, nil
}

// FormatViolations lists violations for a person: one block per rule with its
// impact, the help text and link, and each offending element with what to fix.
func FormatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  [%s] %s: %s\n      %s\n", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    - %s\n        %s\n", target(n.Target), oneLine(n.HTML, 200))
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					fmt.Fprintf(&b, "        %s\n", line)
				}
			}
		}
	}
	return b.String()
}

// target joins a selector path: plain selectors as they are, a level inside a
// shadow root (an array) as its JSON.
func target(parts []json.RawMessage) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		var s string
		if json.Unmarshal(p, &s) == nil {
			out = append(out, s)
		} else {
			out = append(out, string(p))
		}
	}
	return strings.Join(out, " >> ")
}

// oneLine keeps an element's HTML short and on one line in the report.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
