package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/classifier/llm"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// llmEndpoint is an OpenAI-compatible chat completions endpoint that waits
// delay (or, when hang is set, until the client gives up) and then answers
// with a general question. It counts requests and the most it held at once.
type llmEndpoint struct {
	*httptest.Server
	delay    time.Duration
	hang     bool
	requests atomic.Int64
	inFlight atomic.Int64
	maxHeld  atomic.Int64
}

func newLLMEndpoint(tb testing.TB, delay time.Duration, hang bool) *llmEndpoint {
	tb.Helper()
	e := &llmEndpoint{delay: delay, hang: hang}
	e.Server = httptest.NewServer(http.HandlerFunc(e.serve))
	tb.Cleanup(e.Close)
	return e
}

func (e *llmEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	// Read the body first: only then does the server notice the client
	// giving up and end r.Context().
	_, _ = io.Copy(io.Discard, r.Body)
	e.requests.Add(1)
	n := e.inFlight.Add(1)
	defer e.inFlight.Add(-1)
	for {
		m := e.maxHeld.Load()
		if n <= m || e.maxHeld.CompareAndSwap(m, n) {
			break
		}
	}
	if e.hang {
		<-r.Context().Done()
		return
	}
	select {
	case <-r.Context().Done():
		return
	case <-time.After(e.delay):
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1767225600, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{
			"role": "assistant", "content": `{"category":"general_question","confidence":0.9,"language":"sq"}`,
		}}},
	})
}

// newLLMFixture is a desk whose classifier is the LLM one in front of the
// built-in, as app wires it: the desk waits for a batch at most the LLM's
// timeout and a second.
func newLLMFixture(tb testing.TB, url string, timeout time.Duration, concurrency int, batchWait bool) *fixture {
	tb.Helper()
	var cls *llm.Classifier
	return newFixtureConfig(tb, func(builtin desk.Classifier) desk.Classifier {
		var err error
		cls, err = llm.New(llm.Options{BaseURL: url + "/v1", Model: "test-model", Timeout: timeout, Logger: testutil.DiscardLogger()}, builtin)
		if err != nil {
			tb.Fatal(err)
		}
		return cls
	}, func(c *desk.Config) {
		c.ClassifyConcurrency = concurrency
		if batchWait {
			c.ClassifyWait = cls.Timeout() + time.Second
		}
	})
}

// newInquiries are n new inquiries from n people (so no acknowledgement cap
// applies), numbered from first.
func newInquiries(f *fixture, first, n int) []*inquiry.Message {
	msgs := make([]*inquiry.Message, n)
	for i := range msgs {
		m := citizen(fmt.Sprintf("q%d@example.net", first+i), fmt.Sprintf("qytetar%d@example.net", first+i),
			"Pyetje", "Kur hapet muzeu etnologjik të dielën?")
		m.SourceID, m.Channel, m.ReceivedAt = "msgid:"+m.MessageID, inquiry.ChannelEmail, f.now
		msgs[i] = m
	}
	return msgs
}

// checkFiled asserts every message of the batch was filed, with its
// acknowledgement queued, and the tickets classified by a classifier whose
// name starts with by.
func checkFiled(t *testing.T, f *fixture, ds []inquiry.Disposition, n int, by string) {
	t.Helper()
	if len(ds) != n {
		t.Fatalf("%d dispositions, want %d", len(ds), n)
	}
	for i, d := range ds {
		if d != inquiry.Filed {
			t.Fatalf("message %d: %s, want filed", i, d)
		}
	}
	tickets := f.tickets()
	if len(tickets) != n {
		t.Fatalf("%d tickets, want %d", len(tickets), n)
	}
	for _, tk := range tickets {
		if acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck); len(acks) != 1 {
			t.Errorf("%s: %d acknowledgements queued, want 1", tk.Number, len(acks))
		}
		if !strings.HasPrefix(tk.Classifier, by) {
			t.Errorf("%s classified by %q, want %q…", tk.Number, tk.Classifier, by)
		}
	}
}

// A batch of 32 new mails while the LLM hangs: all are filed and
// acknowledged after about one LLM timeout (1 s here), not one per message
// (32 s and more before), and the endpoint sees a few requests, not 32.
func TestHangingLLMDoesNotHoldBatch(t *testing.T) {
	const timeout = time.Second
	tests := []struct {
		name      string
		batchWait bool
	}{
		{"breaker and batch wait", true},
		{"breaker alone", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newLLMEndpoint(t, 0, true)
			f := newLLMFixture(t, ep.URL, timeout, 8, tt.batchWait)
			msgs := newInquiries(f, 1, 32)
			start := time.Now()
			ds, err := f.desk.HandleBatch(context.Background(), msgs)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("HandleBatch: %v", err)
			}
			t.Logf("32 filed in %v; %d requests to the endpoint", elapsed, ep.requests.Load())
			checkFiled(t, f, ds, 32, "builtin (llm failed: ")
			// A bound, asserted generously: one timeout and the requests
			// that started before the breaker opened.
			if elapsed > 10*time.Second {
				t.Errorf("batch took %v, want under 10s", elapsed)
			}
			// 8 at once, then at most 2 more started between the first and
			// the third failure; after that the breaker is open.
			if n := ep.requests.Load(); n > 10 {
				t.Errorf("endpoint got %d requests, want at most 10", n)
			}
		})
	}
}

// With an endpoint that takes 300 ms, a batch of 16 is classified several
// at a time (at most the configured 8), all by the LLM.
func TestBatchClassifiesConcurrently(t *testing.T) {
	const delay = 300 * time.Millisecond
	ep := newLLMEndpoint(t, delay, false)
	f := newLLMFixture(t, ep.URL, 10*time.Second, 8, true)
	msgs := newInquiries(f, 1, 16)
	start := time.Now()
	ds, err := f.desk.HandleBatch(context.Background(), msgs)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("HandleBatch: %v", err)
	}
	t.Logf("16 filed in %v; at most %d requests at once", elapsed, ep.maxHeld.Load())
	checkFiled(t, f, ds, 16, "llm:test-model")
	if elapsed >= 8*delay {
		t.Errorf("batch of 16 took %v, want well under 16×%v (under %v)", elapsed, delay, 8*delay)
	}
	if held := ep.maxHeld.Load(); held < 2 || held > 8 {
		t.Errorf("endpoint held %d requests at once, want 2..8", held)
	}
}

// BenchmarkBatchWithSlowLLM: batches of 32 new mails through the desk with
// an LLM that takes 20 ms an answer, one at a time and eight at a time.
func BenchmarkBatchWithSlowLLM(b *testing.B) {
	for _, concurrency := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			ep := newLLMEndpoint(b, 20*time.Millisecond, false)
			f := newLLMFixture(b, ep.URL, 10*time.Second, concurrency, true)
			const batch = 32
			taken := 0
			for b.Loop() {
				msgs := newInquiries(f, taken+1, batch)
				if _, err := f.desk.HandleBatch(context.Background(), msgs); err != nil {
					b.Fatal(err)
				}
				taken += batch
			}
			b.ReportMetric(float64(taken)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// A batch classifies each new inquiry once, also when a message in its
// middle has to be handled on its own (a reply to nothing we know).
func TestBatchClassifiesEachOnce(t *testing.T) {
	f, counter := newCountingFixture(t)
	msgs := newInquiries(f, 1, 4)
	msgs[1].InReplyTo = []string{"unknown-thread@example.net"}
	ds, err := f.desk.HandleBatch(context.Background(), msgs)
	if err != nil {
		t.Fatalf("HandleBatch: %v", err)
	}
	checkFiled(t, f, ds, 4, "builtin")
	if n := counter.calls.Load(); n != 4 {
		t.Errorf("%d classifications for 4 messages, want 4", n)
	}
}
