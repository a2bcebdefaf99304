package devserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// TestSMTPKeepsEachMailWhole sends mails of changing sizes over one
// connection, as the mailer's kept connections do: each is stored as sent,
// none overwritten by a later one though the connection reuses its buffer,
// including past the size a connection keeps its buffer at.
func TestSMTPKeepsEachMailWhole(t *testing.T) {
	srv, err := StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	mail := func(tag string, size int) []byte {
		head := "Subject: " + tag + "\r\n\r\n"
		line := strings.Repeat(tag, 60/len(tag)) + "\r\n"
		return []byte(head + strings.Repeat(line, max(1, (size-len(head))/len(line))))
	}
	sent := [][]byte{
		mail("big", 300_000),
		mail("small", 200),
		mail("huge", maxKeptBuffer+100_000),
		mail("tiny", 10),
		mail("mid", 40_000),
	}
	c, err := smtp.Dial(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, raw := range sent {
		if err := c.SendMail("a@example.net", []string{"b@example.net"}, bytes.NewReader(raw)); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Mails()
	if len(got) != len(sent) {
		t.Fatalf("server kept %d mails, want %d", len(got), len(sent))
	}
	for i, m := range got {
		if !bytes.Equal(m.Data, sent[i]) {
			t.Errorf("mail %d: kept %d bytes starting %.30q, sent %d starting %.30q", i, len(m.Data), m.Data, len(sent[i]), sent[i])
		}
	}
}

// TestTelegramCallbackAnswerLimit: as on Telegram, a button's answer text
// holds at most 200 characters; a longer one is refused, so a bot that
// would send one fails in tests as it would in production.
func TestTelegramCallbackAnswerLimit(t *testing.T) {
	tg := StartTelegram("1:T", "test_bot")
	t.Cleanup(tg.Close)
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"none", "", true},
		{"200 characters", strings.Repeat("ë", 200), true},
		{"201 characters", strings.Repeat("ë", 201), false},
		{"100 characters past the BMP, 200 units", strings.Repeat("😀", 100), true},
		{"101 characters past the BMP", strings.Repeat("😀", 101), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.PostForm(tg.URL+"/bot1:T/answerCallbackQuery", url.Values{"callback_query_id": {"c1"}, "text": {tt.text}})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var ans struct {
				OK          bool   `json:"ok"`
				Description string `json:"description"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
				t.Fatal(err)
			}
			if ans.OK != tt.ok {
				t.Errorf("ok = %v (%s), want %v", ans.OK, ans.Description, tt.ok)
			}
		})
	}
}
