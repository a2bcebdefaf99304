package llm

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testKey is the API key of TestEndpointMisbehaves; it must never reach the log.
const testKey = "sk-test-0123456789abcdefghijklmnop"

// TestEndpointMisbehaves covers endpoints that answer in ways the OpenAI API
// does not: oversized bodies, errors in other servers' shapes, error messages
// that echo the key. Each gives the built-in result with a reason that says
// what happened, counts as an endpoint failure, and logs no secret.
func TestEndpointMisbehaves(t *testing.T) {
	// Valid JSON throughout: only its size is wrong.
	padded := `{"category":"press_inquiry","confidence":0.99,"language":"sq"` + strings.Repeat(" ", 10<<20) + `}`
	tests := []struct {
		name     string
		respond  func(int, http.ResponseWriter, *http.Request)
		reason   string
		wantHits int
		timeout  time.Duration // 0: 5 s
	}{
		{
			name:     "HTML page with status 200",
			respond:  reply(http.StatusOK, "text/html", "<html><body>Sign in to the proxy</body></html>"),
			reason:   "response is not JSON",
			wantHits: 1,
		},
		{
			name:     "event stream that was not asked for",
			respond:  reply(http.StatusOK, "text/event-stream", `data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"{"}}]}`+"\n\ndata: [DONE]\n\n"),
			reason:   "response is not JSON",
			wantHits: 1,
		},
		{
			name:     "JSON that is not a chat completion",
			respond:  reply(http.StatusOK, "application/json", `{"choices":"press_inquiry"}`),
			reason:   "response is not a chat completion",
			wantHits: 1,
		},
		{
			name:     "response ending mid-JSON",
			respond:  reply(http.StatusOK, "application/json", `{"id":"x","object":"chat.completion","choices":[{"index":0,`),
			reason:   "response cut short",
			wantHits: 1,
		},
		{
			// Headers at once, then a byte now and then: the timeout
			// covers reading the body too.
			name: "answer trickling byte by byte",
			respond: func(_ int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				for {
					if _, err := w.Write([]byte(" ")); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			},
			reason:   "timeout after 300ms",
			wantHits: 1,
			timeout:  300 * time.Millisecond,
		},
		{
			name:     "10 MB answer",
			respond:  answer(padded),
			reason:   "response over 1 MiB",
			wantHits: 1,
		},
		{
			name:     "10 MB error page",
			respond:  reply(http.StatusInternalServerError, "", strings.Repeat("x", 10<<20)),
			reason:   "response over 1 MiB",
			wantHits: 1,
		},
		{
			// vLLM's --api-key check answers so; the status must survive.
			name:     "401 with the error as a string",
			respond:  reply(http.StatusUnauthorized, "application/json", `{"error":"Unauthorized"}`),
			reason:   "http 401",
			wantHits: 1,
		},
		{
			name:     "503 with the error as a string is retried",
			respond:  reply(http.StatusServiceUnavailable, "application/json", `{"error":"model is loading"}`),
			reason:   "http 503",
			wantHits: 2,
		},
		{
			name:     "401 echoing the key",
			respond:  reply(http.StatusUnauthorized, "application/json", fmt.Sprintf(`{"error":{"message":"key %s is not valid","type":"invalid_request_error","code":"invalid_api_key"}}`, testKey)),
			reason:   "http 401",
			wantHits: 1,
		},
		{
			name:     "500 echoing the key in a string error",
			respond:  reply(http.StatusInternalServerError, "", fmt.Sprintf(`{"error":"upstream rejected Bearer %s"}`, testKey)),
			reason:   "http 500",
			wantHits: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.respond)
			var logs bytes.Buffer
			c, err := New(Options{
				BaseURL: srv.URL + "/v1", Model: testModel, APIKey: testKey, Timeout: cmp.Or(tt.timeout, 5*time.Second), Redact: true,
				BreakerFailures: 1, // the first endpoint failure opens it
				Logger:          slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			}, &fakeFallback{result: builtinDocument})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			c.retryPause = 5 * time.Millisecond

			start := time.Now()
			got, err := c.Classify(context.Background(), citizenMessage())
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			if elapsed, limit := time.Since(start), 2*cmp.Or(tt.timeout, 5*time.Second); elapsed > limit {
				t.Errorf("Classify took %v, want under %v", elapsed, limit)
			}
			if want := "builtin (llm failed: " + tt.reason + ")"; got.Classifier != want || got.Category != builtinDocument.Category {
				t.Errorf("Classify = %s by %q, want %s by %q", got.Category, got.Classifier, builtinDocument.Category, want)
			}
			if !c.BreakerOpen() {
				t.Error("breaker closed: the failure was not counted against the endpoint")
			}
			if b, _, _ := srv.requests(); len(b) != tt.wantHits {
				t.Errorf("server got %d requests, want %d", len(b), tt.wantHits)
			}
			// Any part of the key long enough to guess from is a leak.
			for _, part := range []string{testKey, testKey[:12], testKey[len(testKey)-12:]} {
				if strings.Contains(logs.String(), part) {
					t.Errorf("log holds %q of the API key:\n%s", part, logs.String())
				}
			}
		})
	}
}

// TestRetryAfter: a 429 or 503 that says when to come back is retried no
// sooner, and not at all when that is past the timeout.
func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		timeout    time.Duration
		want       string // who decided
		wantHits   int
		minElapsed time.Duration
		maxElapsed time.Duration
	}{
		{"429, back in 30 s, timeout 2 s", http.StatusTooManyRequests, "30", 2 * time.Second,
			"builtin (llm failed: http 429)", 1, 0, time.Second},
		{"503, back at a date past the timeout", http.StatusServiceUnavailable, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 2 * time.Second,
			"builtin (llm failed: http 503)", 1, 0, time.Second},
		{"429, back in 1 s, timeout 5 s", http.StatusTooManyRequests, "1", 5 * time.Second,
			"llm:test-model", 2, time.Second, 4 * time.Second},
		{"429, unreadable Retry-After: the usual pause", http.StatusTooManyRequests, "soon", 5 * time.Second,
			"llm:test-model", 2, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, func(hit int, w http.ResponseWriter, r *http.Request) {
				if hit == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					apiError(tt.status)(hit, w, r)
					return
				}
				answer(goodAnswer)(hit, w, r)
			})
			c := newTestClassifier(t, srv.URL, &fakeFallback{result: builtinDocument}, tt.timeout, &bytes.Buffer{})
			start := time.Now()
			got, err := c.Classify(context.Background(), citizenMessage())
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			if got.Classifier != tt.want {
				t.Errorf("decided by %q, want %q", got.Classifier, tt.want)
			}
			if b, _, _ := srv.requests(); len(b) != tt.wantHits {
				t.Errorf("server got %d requests, want %d", len(b), tt.wantHits)
			}
			if elapsed < tt.minElapsed || elapsed > tt.maxElapsed {
				t.Errorf("Classify took %v, want %v..%v", elapsed, tt.minElapsed, tt.maxElapsed)
			}
		})
	}
}

// reply answers every request with status, a Content-Type ("": none) and
// body.
func reply(status int, contentType, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// TestCheck: check-config --connect asks the endpoint once and says what
// came back; a wrong base_url or model gives a message that names the
// settings to look at, and the key never shows.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		respond func(int, http.ResponseWriter, *http.Request)
		path    string // base_url's path
		want    string // the answer, or what the error must hold
		wantErr bool
	}{
		{"answers", answer(goodAnswer), "/v1", "document_request (confidence 0.90, language sq)", false},
		// Ollama's own API sits at the root; its OpenAI one under /v1.
		{"base_url without /v1", answer(goodAnswer), "", "http 404", true},
		{"no /v1 hint", answer(goodAnswer), "", "base_url usually ends in /v1", true},
		{"model not pulled", reply(http.StatusNotFound, "application/json",
			`{"error":{"message":"model \"qwen2.5:7b-instruct\" not found, try pulling it first","type":"api_error","param":null,"code":null}}`),
			"/v1", "model must name one the server serves", true},
		{"key refused", reply(http.StatusUnauthorized, "application/json", `{"error":{"message":"Incorrect API key provided: `+testKey+`","type":"invalid_request_error","code":"invalid_api_key"}}`),
			"/v1", "http 401", true},
		{"not an answer", answer("I think it is a document request."), "/v1", "invalid JSON", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.respond)
			c, err := New(Options{BaseURL: srv.URL + tt.path, Model: testModel, APIKey: testKey, Timeout: 5 * time.Second},
				&fakeFallback{result: builtinDocument})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			c.retryPause = 5 * time.Millisecond
			got, err := c.Check(context.Background())
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Check = %q, %v; want an error holding %q", got, err, tt.want)
				}
				if strings.Contains(err.Error(), testKey[:12]) {
					t.Errorf("error shows the key: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Check = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
