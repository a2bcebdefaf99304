package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/config"
	"sportel/internal/testutil"
)

func TestRunExposesMetrics(t *testing.T) {
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	s.append(inboundMail{from: "Arben Hoxha <arben@example.net>", subject: "Pyetje", messageID: "metrics-1@example.net", body: "Kur hapet muzeu?"}.raw())
	_, stop := s.serve()
	defer stop()

	waitCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.smtp.WaitFor(waitCtx, 2); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`sportel_messages_total{channel="email",disposition="filed"} 1`,
		`sportel_sends_total{kind="ack"} 1`,
		`sportel_sends_total{kind="notify"} 1`,
		`sportel_imap_last_good_fetch_timestamp_seconds 1.`,
	}
	// Counters move as jobs are marked done, a moment after the mail is
	// captured: wait until every line is there or time runs out.
	var body string
	testutil.Eventually(t, "every metric", 20*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false, err
			}
		}
		return true, err
	})
}

// With an LLM endpoint that answers only errors, mail is still filed and
// acknowledged (by the built-in classifier), and after three failures the
// breaker gauge says the endpoint is no longer asked.
func TestRunExposesLLMBreaker(t *testing.T) {
	var requests atomic.Int64
	llmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"message":"model not loaded","type":"server_error","code":null}}`)
	}))
	defer llmSrv.Close()
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	s.cfg.Classifier = config.ClassifierConfig{Kind: config.ClassifierOpenAI,
		OpenAI: &config.OpenAIConfig{BaseURL: llmSrv.URL + "/v1", Model: "test-model", Timeout: 5 * time.Second}}
	deliver := func(from, to int) {
		for i := from; i < to; i++ {
			s.append(inboundMail{from: fmt.Sprintf("Qytetar %d <q%d@example.net>", i, i), subject: "Pyetje",
				messageID: fmt.Sprintf("breaker-%d@example.net", i), body: "Kur hapet muzeu?"}.raw())
		}
	}
	deliver(0, 5)
	_, stop := s.serve()
	defer stop()

	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.smtp.WaitFor(waitCtx, 10); err != nil { // an ack and a notification each
		t.Fatal(err)
	}
	testutil.Eventually(t, "sportel_llm_breaker_open 1", 20*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), "\nsportel_llm_breaker_open 1\n"), err
	})
	// Open: more mail is filed and acknowledged without asking the endpoint.
	asked := requests.Load()
	deliver(5, 8)
	if _, err := s.smtp.WaitFor(waitCtx, 16); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != asked {
		t.Errorf("endpoint asked %d more times while the breaker was open", n-asked)
	}
}

// A part that cannot start stops the daemon at once, with an error that
// names it, instead of staying invisible until SIGTERM.
func TestRunFailsFastWhenMetricsCannotListen(t *testing.T) {
	s := newMemStack(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s.cfg.Metrics.Listen = taken.Addr().String()
	a := s.open()
	err = testutil.Await(t, "Run with its metrics port taken", 30*time.Second, a.Run)
	if err == nil || !strings.Contains(err.Error(), "metrics") || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run: %v, want an error naming the metrics listener", err)
	}
}
