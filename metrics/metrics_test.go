package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
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
