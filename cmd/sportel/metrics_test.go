package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/config"
	"sportel/devserver"
)

func TestServeExposesMetrics(t *testing.T) {
	imapSrv, err := devserver.StartIMAP("komunikimi@mkrs.example", "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()

	yaml := fmt.Sprintf(demoConfig, imapSrv.Addr, smtpSrv.Addr, filepath.Join(t.TempDir(), "s.db")) +
		"metrics:\n  listen: " + metricsAddr + "\n"
	cfg, err := config.Parse([]byte(yaml), func(string) (string, bool) { return "pw", true })
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	raw := demoInbox[0].raw("metrics-1@example.net", time.Now())
	if _, err := imapSrv.Append("INBOX", raw, time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitCtx, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	if _, err := smtpSrv.WaitFor(waitCtx, 2); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`sportel_messages_total{channel="email",disposition="filed"} 1`,
		`sportel_sends_total{kind="ack"} 1`,
		`sportel_sends_total{kind="notify"} 1`,
		`sportel_imap_last_good_fetch_timestamp_seconds 1.`,
	}
	// Counters move as jobs are marked done, a moment after the mail is
	// captured: poll until every line is there or time runs out.
	var body string
	missing := want
	for waitCtx.Err() == nil && len(missing) > 0 {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		missing = missing[:0:0]
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = append(missing, w)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, w := range missing {
		t.Errorf("metrics lack %q", w)
	}
}
