package llm

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// fakeClock is the breaker's clock in tests: cool-downs pass when the test
// says so, not after real waits.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const goodAnswer = `{"category":"document_request","confidence":0.9,"language":"sq"}`

// switchable answers as its mode says: "good", "bad json", "500", "hang",
// "refusal".
type switchable struct{ mode atomic.Value }

func newSwitchable(mode string) *switchable {
	s := &switchable{}
	s.mode.Store(mode)
	return s
}

func (s *switchable) set(mode string) { s.mode.Store(mode) }

func (s *switchable) respond(hit int, w http.ResponseWriter, r *http.Request) {
	switch s.mode.Load().(string) {
	case "good":
		answer(goodAnswer)(hit, w, r)
	case "bad json":
		answer(`{"category":`)(hit, w, r)
	case "500":
		apiError(http.StatusInternalServerError)(hit, w, r)
	case "hang":
		hang(hit, w, r)
	case "refusal":
		completion(w, map[string]any{"content": nil, "refusal": "no"}, "stop")
	}
}

func newBreakerClassifier(t *testing.T, url string, timeout time.Duration, log io.Writer) (*Classifier, *fakeClock) {
	t.Helper()
	c, err := New(Options{
		BaseURL: url + "/v1", Model: testModel, Timeout: timeout,
		BreakerFailures: 3, BreakerCooldown: time.Minute, BreakerMaxCooldown: 4 * time.Minute,
		Logger: slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, &fakeFallback{result: builtinDocument})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.retryPause = 5 * time.Millisecond
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	c.breaker.now = clk.now
	return c, clk
}

// TestBreakerOpensAndProbes: after three failures the endpoint is not
// called until the cool-down passes; then one probe goes out, a failed one
// re-opens the breaker for longer, and a good one closes it.
func TestBreakerOpensAndProbes(t *testing.T) {
	tests := []struct {
		mode    string
		timeout time.Duration
		perCall int // requests one failing Classify makes
		reason  string
	}{
		{"hang", 100 * time.Millisecond, 1, "timeout after 100ms"},
		{"500", 5 * time.Second, 2, "http 500"},
		{"bad json", 5 * time.Second, 1, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			sw := newSwitchable(tt.mode)
			srv := newFakeServer(t, sw.respond)
			var logs bytes.Buffer
			c, clk := newBreakerClassifier(t, srv.URL, tt.timeout, &logs)
			hits := func() int { b, _, _ := srv.requests(); return len(b) }
			classify := func(want string) {
				t.Helper()
				got, err := c.Classify(context.Background(), citizenMessage())
				if err != nil {
					t.Fatalf("Classify: %v", err)
				}
				if got.Category != builtinDocument.Category || got.Classifier != want {
					t.Fatalf("Classify = %q by %q, want the builtin result by %q", got.Category, got.Classifier, want)
				}
			}
			failed := "builtin (llm failed: " + tt.reason + ")"
			skipped := "builtin (llm failed: breaker open)"

			for i := range 3 {
				if c.BreakerOpen() {
					t.Fatalf("breaker open after %d failures, want closed until 3", i)
				}
				classify(failed)
			}
			// A hanging request may time out before the server sees it on a
			// loaded machine, so requests are counted exactly only where the
			// server answers; the breaker's own count is what matters.
			exact := tt.mode != "hang"
			opened := hits()
			if !c.BreakerOpen() || opened > 3*tt.perCall || (exact && opened != 3*tt.perCall) {
				t.Fatalf("after 3 failures: open %v, %d requests; want open, %d", c.BreakerOpen(), opened, 3*tt.perCall)
			}
			// Open: answered at once, no request, until the cool-down (at
			// least half of 1m with jitter) passes.
			for range 5 {
				classify(skipped)
			}
			clk.advance(29 * time.Second)
			classify(skipped)
			if hits() != opened {
				t.Fatalf("open breaker let %d requests through", hits()-opened)
			}

			// Cool-down over: one probe, which fails and re-opens for at
			// least 1m (the second cool-down is 1m..2m).
			clk.advance(time.Minute)
			classify(failed)
			probed := hits()
			if probed > opened+tt.perCall || (exact && probed != opened+tt.perCall) || !c.BreakerOpen() {
				t.Fatalf("probe: %d requests, open %v; want %d, open", probed, c.BreakerOpen(), opened+tt.perCall)
			}
			clk.advance(59 * time.Second)
			classify(skipped)
			if hits() != probed {
				t.Fatalf("re-opened breaker let %d requests through", hits()-probed)
			}

			// The endpoint recovers: the next probe closes the breaker and
			// calls go through again.
			sw.set("good")
			clk.advance(2 * time.Minute)
			classify("llm:test-model")
			if c.BreakerOpen() {
				t.Fatal("breaker still open after a good probe")
			}
			classify("llm:test-model")
			if want := probed + 2; hits() != want {
				t.Errorf("%d requests, want %d", hits(), want)
			}

			// Each state change is logged once; messages skipped while open
			// are not warned about one by one.
			counts := map[string]int{}
			for _, rec := range parseLogs(t, logs.String()) {
				msg, _ := rec["msg"].(string)
				if strings.HasPrefix(msg, "llm breaker") || rec["level"] == "WARN" {
					counts[msg]++
				}
			}
			want := map[string]int{
				"llm breaker open: the endpoint keeps failing; using the built-in classifier": 1,
				"llm breaker half-open: probing the endpoint with one request":                2,
				"llm breaker re-opened: the probe failed; using the built-in classifier":      1,
				"llm breaker closed: the endpoint answers again":                              1,
				"llm breaker open; using builtin result":                                      7,
				"llm classification failed; using builtin result":                             4,
			}
			for msg, n := range want {
				if counts[msg] != n {
					t.Errorf("log %q %d times, want %d", msg, counts[msg], n)
				}
			}
			for msg := range counts {
				if _, ok := want[msg]; !ok {
					t.Errorf("unexpected log %q", msg)
				}
			}
		})
	}
}

// TestBreakerCounts: only failures of the endpoint, in a row, open it.
func TestBreakerCounts(t *testing.T) {
	tests := []struct {
		name     string
		modes    []string
		wantOpen bool
	}{
		{"three failures in a row", []string{"bad json", "500", "bad json"}, true},
		{"a good answer resets the count", []string{"bad json", "500", "good", "bad json", "500"}, false},
		{"refusals are about the message", []string{"refusal", "refusal", "refusal", "refusal"}, false},
		{"a refusal shows the endpoint alive", []string{"bad json", "bad json", "refusal", "bad json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sw := newSwitchable("good")
			srv := newFakeServer(t, sw.respond)
			c, _ := newBreakerClassifier(t, srv.URL, 5*time.Second, io.Discard)
			for _, mode := range tt.modes {
				sw.set(mode)
				if _, err := c.Classify(context.Background(), citizenMessage()); err != nil {
					t.Fatalf("Classify: %v", err)
				}
			}
			if c.BreakerOpen() != tt.wantOpen {
				t.Errorf("open %v, want %v", c.BreakerOpen(), tt.wantOpen)
			}
		})
	}
}

// TestCallerDoneMakesNoCall: when the caller's wait is over before the
// call, the built-in result comes back without a request, and the breaker
// learns nothing from it.
func TestCallerDoneMakesNoCall(t *testing.T) {
	srv := newFakeServer(t, answer(goodAnswer))
	c, _ := newBreakerClassifier(t, srv.URL, 5*time.Second, io.Discard)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for range 5 {
		got, err := c.Classify(ctx, citizenMessage())
		if err != nil {
			t.Fatalf("Classify: %v", err)
		}
		if got.Classifier != "builtin (llm failed: caller's deadline exceeded)" {
			t.Fatalf("Classifier %q", got.Classifier)
		}
	}
	if b, _, _ := srv.requests(); len(b) != 0 || c.BreakerOpen() {
		t.Errorf("%d requests, breaker open %v; want none, closed", len(b), c.BreakerOpen())
	}
}

// TestTimeoutBoundsRetry: the timeout covers the retry too, so a fast 500
// followed by a hang ends when the timeout does, not a timeout later.
func TestTimeoutBoundsRetry(t *testing.T) {
	const timeout = 300 * time.Millisecond
	srv := newFakeServer(t, func(hit int, w http.ResponseWriter, r *http.Request) {
		if hit == 1 {
			apiError(http.StatusInternalServerError)(hit, w, r)
			return
		}
		hang(hit, w, r)
	})
	c, _ := newBreakerClassifier(t, srv.URL, timeout, io.Discard)
	start := time.Now()
	got, err := c.Classify(context.Background(), citizenMessage())
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Classify: %v", err)
	}
	if got.Classifier != "builtin (llm failed: timeout after 300ms)" {
		t.Errorf("Classifier %q", got.Classifier)
	}
	if b, _, _ := srv.requests(); len(b) != 2 {
		t.Errorf("%d requests, want 2 (the retry within the budget)", len(b))
	}
	// Generous: the old code took 2×timeout plus the pause.
	if elapsed >= 2*timeout {
		t.Errorf("Classify took %v, want under %v", elapsed, 2*timeout)
	}
}

// TestBreakerConcurrentProbe: while the probe is out, other callers get the
// built-in result at once instead of a second request.
func TestBreakerConcurrentProbe(t *testing.T) {
	release := make(chan struct{})
	var mode atomic.Value
	mode.Store("bad json")
	srv := newFakeServer(t, func(hit int, w http.ResponseWriter, r *http.Request) {
		if mode.Load() == "slow good" {
			<-release
			answer(goodAnswer)(hit, w, r)
			return
		}
		answer(`{"category":`)(hit, w, r)
	})
	c, clk := newBreakerClassifier(t, srv.URL, 5*time.Second, io.Discard)
	for range 3 {
		if _, err := c.Classify(context.Background(), citizenMessage()); err != nil {
			t.Fatal(err)
		}
	}
	mode.Store("slow good")
	clk.advance(time.Minute)
	probe := make(chan inquiry.Classification, 1)
	go func() {
		got, _ := c.Classify(context.Background(), citizenMessage())
		probe <- got
	}()
	testutil.Eventually(t, "the probe at the server", 5*time.Second, func() (bool, error) {
		b, _, _ := srv.requests()
		return len(b) == 4, nil
	})
	for range 3 {
		got, err := c.Classify(context.Background(), citizenMessage())
		if err != nil || got.Classifier != "builtin (llm failed: breaker open)" {
			t.Fatalf("during the probe: %q, %v", got.Classifier, err)
		}
	}
	close(release)
	if got := <-probe; got.Classifier != "llm:test-model" {
		t.Errorf("probe result by %q", got.Classifier)
	}
	if c.BreakerOpen() {
		t.Error("breaker open after a good probe")
	}
}
