package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestExposition(t *testing.T) {
	m := New()
	m.Message("email", "filed")
	m.Message("email", "filed")
	m.Message("telegram", "duplicate")
	m.Sent("ack")
	m.SendFailed("notify", true)
	last := 1764064800.0
	m.Gauge("sportel_imap_last_good_fetch_timestamp_seconds", "Time of the last good fetch.", func() float64 { return last })

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`sportel_messages_total{channel="email",disposition="filed"} 2`,
		`sportel_messages_total{channel="telegram",disposition="duplicate"} 1`,
		`sportel_sends_total{kind="ack"} 1`,
		`sportel_send_failures_total{final="true",kind="notify"} 1`,
		`sportel_imap_last_good_fetch_timestamp_seconds 1.7640648e+09`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestProbes(t *testing.T) {
	ok := func(context.Context) error { return nil }
	storeDown := func(context.Context) error { return errors.New("count tickets: unable to open database file") }
	imapStale := func(context.Context) error { return errors.New("last good fetch 16m0s ago (more than 15m0s)") }
	stuck := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name       string
		store      func(context.Context) error
		imap       func(context.Context) error
		role       string // a status line when set
		wantStatus int
		wantBody   string
	}{
		{"all good", ok, ok, "", http.StatusOK, "ok\n"},
		{"store down", storeDown, ok, "", http.StatusServiceUnavailable,
			"store: count tickets: unable to open database file\n"},
		{"imap stale", ok, imapStale, "", http.StatusServiceUnavailable,
			"imap: last good fetch 16m0s ago (more than 15m0s)\n"},
		{"both failing: a line each", storeDown, imapStale, "", http.StatusServiceUnavailable,
			"store: count tickets: unable to open database file\nimap: last good fetch 16m0s ago (more than 15m0s)\n"},
		{"a store that hangs is not ready, within the check timeout", stuck, ok, "", http.StatusServiceUnavailable,
			"store: context deadline exceeded\n"},
		{"ready, with the role after the verdict", ok, ok, "standby", http.StatusOK, "ok\nrole: standby\n"},
		{"not ready, with the role after the reasons", storeDown, ok, "leader", http.StatusServiceUnavailable,
			"store: count tickets: unable to open database file\nrole: leader\n"},
		{"a status stays one line", ok, ok, "standby\nforged: line", http.StatusOK, "ok\nrole: standby forged: line\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.Ready("store", tt.store)
			m.Ready("imap", tt.imap)
			if tt.role != "" {
				m.Status("role", func() string { return tt.role })
			}
			srv := httptest.NewServer(m.Routes())
			defer srv.Close()

			status, body := get(t, srv, "/healthz")
			if status != http.StatusOK || body != "ok\n" {
				t.Errorf("/healthz: %d %q, want 200 \"ok\\n\" whatever the checks say", status, body)
			}
			start := time.Now()
			status, body = get(t, srv, "/readyz")
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("/readyz: %d %q, want %d %q", status, body, tt.wantStatus, tt.wantBody)
			}
			if d := time.Since(start); d > checkTimeout+time.Second {
				t.Errorf("/readyz took %v", d)
			}
		})
	}
}

func TestBuildInfo(t *testing.T) {
	m := New()
	m.BuildInfo("v1.2.0", "9cbddde5f0c1")
	srv := httptest.NewServer(m.Routes())
	defer srv.Close()
	if _, body := get(t, srv, "/metrics"); !strings.Contains(body, `sportel_build_info{commit="9cbddde5f0c1",version="v1.2.0"} 1`) {
		t.Errorf("exposition lacks sportel_build_info:\n%s", body)
	}
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
