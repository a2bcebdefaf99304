package app

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

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
